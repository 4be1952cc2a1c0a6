// Side-by-side benchmark: Debian docker-registry (CNCF distribution) vs `everlock serve`, on loopback, on
// the same disk, alternating in each round. Prints one table and writes bench/results/<date>.json.
//
//   pnpm bench                      # full run (3 rounds, 1 MiB / 100 MiB / 1 GiB)
//   pnpm bench -- --quick           # smoke run (1 round, 1 MiB / 100 MiB, short load phases)
//   options: --servers distribution,everlock  --rounds N  --seconds N  --mixed-seconds N  --sizes 1m,100m,1g  --keep  --work DIR
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { commitCount } from './lib/commits.js'
import { pushImage, smallImage } from './lib/image.js'
import { OciClient } from './lib/oci-client.js'
import { PASSWORD, REPO_ROOT, USER, startDistribution, startEverlock, type RunningServer } from './lib/servers.js'
import { markdown, rows, type Samples } from './lib/table.js'
import { useHttps } from './lib/tls.js'
import { blobRound, makeBlobs, metrics, requestRound, skopeoRound, type BenchOptions } from './lib/workloads.js'

function parseSize(text: string): number {
  const m = /^(\d+)([kmg])$/i.exec(text.trim())
  if (!m) throw new Error(`bad size ${text} (use e.g. 1m, 100m, 1g)`)
  return Number(m[1]) * { k: 1 << 10, m: 1 << 20, g: 1 << 30 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g']
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'mixed-seconds': { type: 'string' },
    sizes: { type: 'string' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
    servers: { type: 'string', default: 'distribution,everlock' },
    https: { type: 'boolean', default: false },
  },
  // `pnpm bench -- --quick` hands the script a literal `--` first; flags after it must still count
  args: process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
  allowPositionals: false,
})

const quick = values.quick
const rounds = Number(values.rounds ?? (quick ? 1 : 3))
const work = mkdtempSync(join(values.work ?? tmpdir(), 'everlock-bench-'))
const opts: BenchOptions = {
  sizes: (values.sizes ?? (quick ? '1m,100m' : '1m,100m,1g')).split(',').map(parseSize),
  seconds: Number(values.seconds ?? (quick ? 2 : 8)),
  mixedSeconds: Number(values['mixed-seconds'] ?? (quick ? 3 : 10)),
  work,
}

// --https: both registries serve the same certificate; every client verifies it against the run's CA
if (values.https) useHttps(join(work, 'tls'))

const samples: Samples = { distribution: {}, everlock: {} }
const record = (server: string) => (key: string, value: number) => {
  ;(samples[server]![key] ??= []).push(value)
  process.stderr.write(`  ${server.padEnd(12)} ${key.padEnd(22)} ${value.toFixed(2)}\n`)
}

const servers: RunningServer[] = []
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const server of servers) server.child.kill('SIGKILL')
    if (!values.keep) rmSync(work, { recursive: true, force: true })
    process.exit(130)
  })
}
try {
  const wanted = values.servers.split(',')
  if (wanted.includes('distribution')) servers.push(await startDistribution(join(work, 'distribution')))
  if (wanted.includes('everlock')) servers.push(await startEverlock(join(work, 'everlock')))
  // warm-up: the first authenticated request pays for a password check (and Everlock's credential cache)
  for (const server of servers) {
    const client = OciClient.basic(server.base, USER, PASSWORD)
    await client.expect(200, 'GET', '/v2/')
    await pushImage(client, 'bench/warmup', 'v1', smallImage(1, 1 << 20))
    client.close()
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse()
    process.stderr.write(`round ${round + 1}/${rounds}: generating blobs\n`)
    const blobs = makeBlobs(opts.sizes)
    for (const server of order) await blobRound(server, blobs, round, opts, record(server.name))
    blobs.clear()
    for (const server of order) await requestRound(server, round, opts, record(server.name))
    for (const server of order) {
      // the skopeo round pushes one image (and pulls it, which commits nothing): its commits are the delta
      const sshPort = server.name === 'everlock' ? (server as { sshPort?: number }).sshPort : undefined
      const before = await commitCount(sshPort, 'bench')
      await skopeoRound(server, round, opts, record(server.name))
      if (sshPort !== undefined) record(server.name)('commits-per-push', (await commitCount(sshPort, 'bench')) - before)
    }
  }
} finally {
  for (const server of servers) await server.stop()
  if (!values.keep) rmSync(work, { recursive: true, force: true })
}

const table = rows(metrics(opts), samples)
const date = new Date().toISOString()
const text = markdown(table)
process.stdout.write(`\nEverlock vs distribution${values.https ? ' over HTTPS' : ''} (${date}, ${rounds} round(s), median)\n\n${text}\n`)
mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true })
const file = join(REPO_ROOT, 'bench/results', `${date.replace(/[:.]/g, '-')}.json`)
writeFileSync(file, `${JSON.stringify({ date, quick, https: values.https, rounds, options: { ...opts, work: undefined }, table, samples }, null, 2)}\n`)
process.stdout.write(`\nwritten to ${file}\n`)
