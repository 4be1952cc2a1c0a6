// Profiles `everlock serve` under one load (node --cpu-prof) and prints the hottest functions (self time).
//   pnpm --filter @everlock/bench exec tsx profile.ts [manifest-get|manifest-head|pull|push] [seconds]   (PROBE_HTTPS=1: over HTTPS)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ab } from './lib/ab.js'
import { generateBlob } from './lib/gen.js'
import { pushImage, smallImage } from './lib/image.js'
import { OCI_MANIFEST, OciClient } from './lib/oci-client.js'
import { PASSWORD, USER, startEverlock } from './lib/servers.js'
import { curlPull } from './lib/proc.js'
import { useHttps } from './lib/tls.js'

const [what = 'manifest-get', secondsText = '5'] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'everlock-profile-'))
const profDir = join(dir, 'prof')
if (process.env.PROBE_HTTPS === '1') useHttps(join(dir, 'tls'))
const server = await startEverlock(join(dir, 'everlock'), { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] })
const client = OciClient.basic(server.base, USER, PASSWORD)
try {
  const image = smallImage(1, 1 << 20)
  await pushImage(client, 'prof/app', 'v1', image)
  const headers = { authorization: client.auth!, accept: OCI_MANIFEST }
  if (what === 'push') {
    for (let i = 0; i < 3; i++) {
      const blob = generateBlob(512 << 20)
      const t0 = performance.now()
      await client.pushMonolithic('prof/app', blob)
      console.log(`push (monolithic): ${(blob.size / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`)
    }
  } else if (what === 'pull') {
    const blob = generateBlob(512 << 20)
    await client.pushMonolithic('prof/app', blob)
    for (let i = 0; i < 4; i++) {
      const r = await curlPull(server.base, 'prof/app', blob.digest)
      console.log(`pull (curl): ${(r.size / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s`)
    }
  } else {
    const r = await ab(`${server.base}/v2/prof/app/manifests/v1`, { headers, head: what === 'manifest-head', seconds: Number(secondsText) })
    console.log(`${what}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99ms} ms, non-2xx ${r.non2xx}`)
  }
} finally {
  client.close()
  await server.stop()
}

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as { nodes: Node[] }
const self = new Map<string, number>()
let total = 0
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0
  total += hits
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + hits)
}
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`)
rmSync(dir, { recursive: true, force: true })
