// A library of N items (default 100,000): first page, a deep cursor page and text searches, p50/p99 over HTTP
// on loopback (keep-alive, one client), plus the time to build the index at open.
//   pnpm --filter @everlock/backend-image bench:listing [N]   (node --expose-gc --import tsx bench/listing.ts)
// The items are written straight into the store as the library lays them out (record entries with their
// summary meta, in commits of 2,000); they share one record blob, which listing never reads.
import { createServer, Agent, request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { openStores } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createImageLibrary } from '../src/index.js'
import { summaryMeta } from '../src/summary.js'
import { recordPath } from '../src/layout.js'
import type { AssetRecord } from '../src/record.js'
import { AssetIndex } from '../src/asset-index.js'
import { parseQuery } from '../src/listing.js'
import { encodeCursor } from '../src/cursor.js'

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300)
const WORDS = ['beach', 'mountain', 'city', 'dog', 'cat', 'sunset', 'forest', 'river', 'party', 'snow', 'garden', 'bridge', 'market', 'train', 'lake']

function record(i: number): AssetRecord {
  const id = createHash('sha256').update(`item ${i}`).digest('hex')
  const taken = new Date(Date.UTC(2005, 0, 1) + i * 37_000_000 + (i % 7) * 1000).toISOString()
  return {
    id, digest: `sha256:${id}`, size: 3_000_000 + i, filename: `IMG_${String(i).padStart(6, '0')}.jpg`,
    kind: i % 20 === 0 ? 'video' : 'image', format: 'jpeg', mime: 'image/jpeg', width: 4000, height: 3000,
    takenAt: taken, takenAtSource: 'metadata', uploadedAt: taken, uploadedBy: 'bench',
    caption: `A ${WORDS[i % WORDS.length]} near the ${WORDS[(i * 7) % WORDS.length]}`, captionSource: 'model',
    tags: [WORDS[(i * 3) % WORDS.length]!, `t${i % 1000}`], derivatives: [], placeholder: 'HZQBBYCHh4eIeHhwiHeIc3h4gHcH',
    jobs: { derive: { state: 'done' }, caption: { state: 'done' } },
  } as AssetRecord
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-bench-'))
  const stores = await openStores({ dir: join(dir, 'data') })
  const store = await stores.open('bench')
  const shared = await store.putBlob(Readable.from([Buffer.from('{"bench":true}')]))
  let t = performance.now()
  // Commits of 2,000 items, the last item alone (as an upload would be: the head commit is read per listing).
  const change = (i: number) => {
    const r = record(i)
    return { op: 'put' as const, path: recordPath(r.id), digest: shared.digest, size: shared.size, meta: summaryMeta(r) }
  }
  for (let start = 0; start < N - 1; start += 2000) {
    const changes = []
    for (let i = start; i < Math.min(N - 1, start + 2000); i++) changes.push(change(i))
    await store.commit(changes, { author: 'bench', message: `items ${start}…` })
  }
  await store.commit([change(N - 1)], { author: 'bench', message: 'the last item' })
  console.log(`wrote ${N} items in ${((performance.now() - t) / 1000).toFixed(1)} s`)

  const jobs = await openJobQueue({ dir: join(dir, 'jobs') })
  t = performance.now()
  const library = createImageLibrary({ store, jobs, log: console.error })
  await library.ready
  const buildMs = performance.now() - t
  const server = createServer(library)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const get = (path: string) =>
    new Promise<any>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`${path}: ${res.statusCode}`))))
      })
      req.on('error', reject)
      req.end()
    })

  // A cursor 90% of the way down, found by walking pages of 500.
  let cursor: string | undefined
  for (let seen = 0; seen < N * 0.9; seen += 500) cursor = (await get(`/api/assets?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor
  const cases: Array<[string, string, number]> = [
    ['first page (limit 50)', '/api/assets?limit=50', 20],
    ['deep cursor page (90%, limit 50)', `/api/assets?limit=50&cursor=${cursor}`, 20],
    ['date range page (from/to, limit 50)', '/api/assets?limit=50&from=2010-01-01&to=2012-12-31', 20],
    ['search, common word (q=sunset)', '/api/assets?limit=50&q=sunset', 100],
    ['search, rare tag (q=t999)', '/api/assets?limit=50&q=t999', 100],
    ['search, no match (full scan, q=zebra)', '/api/assets?limit=50&q=zebra', 100],
    ['month window (2010-06, offset 40, limit 50)', '/api/assets?month=2010-06&offset=40&limit=50', 20],
    ['month window, last month (offset 0)', `/api/assets?month=${new Date(Date.UTC(2005, 0, 1) + (N - 1) * 37_000_000).toISOString().slice(0, 7)}&limit=50`, 20],
  ]
  // The same queries without sockets: what the handler computes (catch-up check, query, JSON).
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const index = new AssetIndex(store)
  await index.build()
  globalThis.gc?.()
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
  const local = async (path: string) => {
    await index.sync()
    const page = index.query(parseQuery(new URL(`http://x${path}`).searchParams))
    const text = JSON.stringify({ items: page.items.map((i) => i.summary), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) })
    return { items: page.items, length: text.length }
  }
  const measure = async (run: (path: string) => Promise<{ items: unknown[] }>, path: string) => {
    for (let i = 0; i < 20; i++) await run(path) // warm up
    const times: number[] = []
    let items = 0
    for (let i = 0; i < ROUNDS; i++) {
      const s = performance.now()
      items = (await run(path)).items.length
      times.push(performance.now() - s)
    }
    times.sort((a, b) => a - b)
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2)
    return { items, p50: p(0.5), p99: p(0.99) }
  }
  console.log(`index built at open: ${buildMs.toFixed(0)} ms for ${N} items, ~${heapMiB.toFixed(0)} MiB of heap; ${ROUNDS} rounds each`)
  console.log(`| request | items | HTTP p50 ms | HTTP p99 ms | in-process p50 ms | in-process p99 ms | target p99 |`)
  console.log(`| --- | --- | --- | --- | --- | --- | --- |`)
  for (const [name, path, target] of cases) {
    const http = await measure(get, path)
    const inproc = await measure(local, path)
    console.log(`| ${name} | ${http.items} | ${http.p50} | ${http.p99} | ${inproc.p50} | ${inproc.p99} | < ${target} |`)
  }
  // An album (or share link) of 50 items spread over the whole library: one page of it, in-process.
  const albumIds = new Set<string>()
  for (let i = 7; albumIds.size < 50; i += Math.floor(N / 50)) albumIds.add(record(i).id)
  const album = await measure(async () => index.query({ ids: albumIds, limit: 50 }), '')
  console.log(`| album page (50 items spread over ${N}) | ${album.items} | – | – | ${album.p50} | ${album.p99} | < 20 |`)
  // The timeline: every month with its count, from counts kept as the index changes.
  const months = await measure(async (path) => ({ items: (await get(path)).months }), '/api/timeline')
  console.log(`| timeline (GET /api/timeline) | ${months.items} months | ${months.p50} | ${months.p99} | – | – | < 20 |`)
  agent.destroy()
  server.close()
  await library.close()
  await jobs.close()
  await stores.close()
  await rm(dir, { recursive: true, force: true })
}

await main()
