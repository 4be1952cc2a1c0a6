// Focused probe: start both registries, push one large blob to each, then pull it N times with curl,
// alternating servers; prints MB/s per try. `tsx probe-large.ts [sizeMiB] [tries]` (PROBE_HTTPS=1: over HTTPS).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDistribution, startEverlock, USER, PASSWORD } from './lib/servers.js'
import { OciClient } from './lib/oci-client.js'
import { generateBlob } from './lib/gen.js'
import { curlPull } from './lib/proc.js'
import { useHttps } from './lib/tls.js'

const size = Number(process.argv[2] ?? 1024) * 1024 * 1024
const tries = Number(process.argv[3] ?? 3)
const which = (process.env.PROBE_SERVERS ?? 'distribution,everlock').split(',')
const work = mkdtempSync(join(process.env.BENCH_WORK ?? tmpdir(), 'probe-'))
if (process.env.PROBE_HTTPS === '1') useHttps(join(work, 'tls'))
const servers = []
if (which.includes('distribution')) servers.push(await startDistribution(join(work, 'd')))
if (which.includes('everlock')) servers.push(await startEverlock(join(work, 'e'), { nodeArgs: process.env.PROBE_NODE_ARGS?.split(' ').filter(Boolean) }))
const blob = generateBlob(size)
try {
  for (const s of servers) {
    const client = OciClient.basic(s.base, USER, PASSWORD)
    for (let i = 0; i < tries; i++) {
      const t0 = performance.now()
      await client.pushMonolithic(`probe/p${i}`, blob)
      console.log(`${s.name} push ${(size / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`)
    }
    client.close()
  }
  for (let i = 0; i < tries; i++) {
    for (const s of servers) {
      const r = await curlPull(s.base, 'probe/p0', blob.digest)
      console.log(`${s.name} pull ${(size / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s`)
    }
  }
} finally {
  for (const s of servers) await s.stop()
  rmSync(work, { recursive: true, force: true })
}
