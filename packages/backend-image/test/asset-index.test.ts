import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStores, type Store, type Stores } from '@everlock/versioned-storage'
import { AssetIndex, type Query } from '../src/asset-index.js'
import { summaryMeta } from '../src/summary.js'
import { recordPath } from '../src/layout.js'
import type { AssetRecord } from '../src/record.js'

// The index over a real store with enough items for many chunks (512–1024 items each).
let dir: string
let stores: Stores
let store: Store
let blob: { digest: string; size: number }
const expected = new Map<string, { ms: number; name: string }>()

const idOf = (n: number) => createHash('sha256').update(`n${n}`).digest('hex')
function recordOf(n: number, ms: number, caption = ''): AssetRecord {
  return { id: idOf(n), digest: `sha256:${idOf(n)}`, size: 1, filename: `file-${n}.jpg`, kind: n % 10 === 0 ? 'video' : 'image', format: 'jpeg', mime: 'image/jpeg', width: 1, height: 1, takenAt: new Date(ms).toISOString(), takenAtSource: 'metadata', uploadedAt: new Date(ms).toISOString(), uploadedBy: 't', tags: n % 97 === 0 ? ['rare'] : [], ...(caption ? { caption } : {}), derivatives: [], jobs: { derive: { state: 'done' }, caption: { state: 'unavailable' } } } as AssetRecord
}
async function put(items: Array<[number, number, string?]>) {
  const changes = items.map(([n, ms, caption]) => {
    expected.set(idOf(n), { ms, name: `file-${n}.jpg` })
    return { op: 'put' as const, path: recordPath(idOf(n)), digest: blob.digest, size: blob.size, meta: summaryMeta(recordOf(n, ms, caption)) }
  })
  await store.commit(changes, { author: 't', message: 'put' })
}
/** Everything, in the index's order, walked page by page through cursors. */
function walk(index: AssetIndex, q: Omit<Query, 'limit' | 'after'> = {}, limit = 97): string[] {
  const out: string[] = []
  let after: Query['after']
  for (;;) {
    const page = index.query({ ...q, limit, ...(after ? { after } : {}) })
    out.push(...page.items.map((i) => i.id))
    if (!page.next) return out
    after = page.next
  }
}
const order = () => [...expected.entries()].sort(([a, x], [b, y]) => y.ms - x.ms || (a < b ? -1 : 1)).map(([id]) => id)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'everlock-image-index-'))
  stores = await openStores({ dir })
  store = await stores.open('idx')
  blob = await store.putBlob(Readable.from([Buffer.from('{}')]))
  const items: Array<[number, number]> = []
  for (let n = 0; n < 3000; n++) items.push([n, 1_000_000 + (n % 1500) * 1000]) // pairs share a time: ties by id
  await put(items)
})
afterAll(async () => {
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

describe('AssetIndex', () => {
  it('walks every item once, newest first, ties by id, across chunk boundaries', async () => {
    const index = new AssetIndex(store)
    await index.build()
    expect(index.size).toBe(3000)
    expect(walk(index)).toEqual(order())
  })

  it('stays in order through inserts at every position, deletes and changes made by commits', async () => {
    const index = new AssetIndex(store)
    await index.build()
    const more: Array<[number, number, string?]> = []
    for (let n = 3000; n < 4500; n++) more.push([n, 1_000_000 + ((n * 7919) % 2000) * 1000 - 200_000]) // newer, older, in between
    await put(more.slice(0, 700))
    await put(more.slice(700))
    const gone = [5, 6, 1000, 2999, 3001].map(idOf)
    await store.commit(gone.map((id) => ({ op: 'delete' as const, path: recordPath(id) })), { author: 't', message: 'delete' })
    for (const id of gone) expected.delete(id)
    await put([[42, 5_000_000_000, 'A changed caption']]) // moved to the top
    await index.sync()
    expect(index.size).toBe(expected.size)
    expect(walk(index)).toEqual(order())
    expect(walk(index, {}, 1000)).toEqual(order())
  })

  it('filters by range, kind and words like a scan would', async () => {
    const index = new AssetIndex(store)
    await index.build()
    const all = order()
    const inRange = all.filter((id) => expected.get(id)!.ms >= 1_500_000 && expected.get(id)!.ms <= 1_900_000)
    expect(walk(index, { fromMs: 1_500_000, toMs: 1_900_000 })).toEqual(inRange)
    const numberOf = new Map([...Array(4500).keys()].map((n) => [idOf(n), n]))
    const videos = all.filter((id) => numberOf.get(id)! % 10 === 0)
    expect(walk(index, { kind: 'video' })).toEqual(videos)
    const rare = all.filter((id) => numberOf.get(id)! % 97 === 0)
    expect(walk(index, { words: ['rare'] }, 7)).toEqual(rare)
    expect(walk(index, { words: ['changed', 'caption'] })).toEqual([idOf(42)])
    expect(walk(index, { words: ['file-12.jpg'] })).toEqual([idOf(12)])
    expect(walk(index, { words: ['nothing-like-this'] })).toEqual([])
  })

  it('keeps month counts as a scan would through inserts and deletes, and skips by offset like slicing a scan', async () => {
    const index = new AssetIndex(store)
    await index.build()
    const monthly: Array<[number, number]> = []
    for (let n = 5000; n < 5600; n++) monthly.push([n, Date.UTC(2020, n % 14, 3 + (n % 20))]) // 2020-01 … 2021-02
    await put(monthly)
    const gone = [5000, 5014, 5028].map(idOf) // all three in one month
    await store.commit(gone.map((id) => ({ op: 'delete' as const, path: recordPath(id) })), { author: 't', message: 'delete' })
    for (const id of gone) expected.delete(id)
    await index.sync()
    const scan = new Map<string, number>()
    for (const { ms } of expected.values()) {
      const month = new Date(ms).toISOString().slice(0, 7)
      scan.set(month, (scan.get(month) ?? 0) + 1)
    }
    const timeline = index.timeline()
    expect(timeline).toEqual([...scan].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([month, count]) => ({ month, count })))
    expect(timeline[0]).toEqual({ month: '2021-02', count: scan.get('2021-02') })
    const all = order()
    const numberOf = new Map([...Array(5600).keys()].map((n) => [idOf(n), n]))
    const videos = all.filter((id) => numberOf.get(id)! % 10 === 0)
    expect(index.query({ kind: 'video', offset: 13, limit: 5 }).items.map((i) => i.id)).toEqual(videos.slice(13, 18))
    const march = all.filter((id) => new Date(expected.get(id)!.ms).toISOString().startsWith('2020-03'))
    const window = index.query({ fromMs: Date.UTC(2020, 2, 1), toMs: Date.UTC(2020, 3, 1) - 1, offset: 7, limit: 10 })
    expect(window.items.map((i) => i.id)).toEqual(march.slice(7, 17))
    expect(index.query({ fromMs: Date.UTC(2020, 2, 1), toMs: Date.UTC(2020, 3, 1) - 1, offset: march.length, limit: 10 }).items).toEqual([])
    const some = new Set([all[3]!, all[700]!, all[2500]!])
    expect(index.query({ ids: some, limit: 10 }).items.map((i) => i.id)).toEqual([all[3], all[700], all[2500]])
    // a small scope (sorted on its own) and a large one (scanned) page like filtering a scan
    const small = new Set(all.filter((_, i) => i % 37 === 5).concat(['ef'.repeat(32)]))
    const large = new Set(all.filter((_, i) => i % 3 !== 0))
    for (const ids of [small, large]) {
      const scoped = all.filter((id) => ids.has(id))
      expect(walk(index, { ids }, 13)).toEqual(scoped)
      expect(walk(index, { ids, kind: 'video' }, 5)).toEqual(scoped.filter((id) => numberOf.get(id)! % 10 === 0))
      expect(index.query({ ids, offset: 9, limit: 4 }).items.map((i) => i.id)).toEqual(scoped.slice(9, 13))
      const from = expected.get(scoped[20]!)!.ms
      expect(walk(index, { ids, fromMs: from }, 7)).toEqual(scoped.filter((id) => expected.get(id)!.ms >= from))
    }
  })
})
