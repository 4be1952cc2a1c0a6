import type { LibraryStore } from './types.js'
import { RECORDS, idOfRecordPath } from './layout.js'
import { summaryFromMeta, type AssetSummary } from './summary.js'

export interface IndexedAsset {
  readonly id: string
  /** Sort time (taken, else uploaded), epoch ms. */
  readonly ms: number
  readonly summary: AssetSummary
  /** Lowercased filename, caption, tags and visible text, for `q`. */
  readonly haystack: string
}

export interface Position {
  readonly ms: number
  readonly id: string
}

export interface Query {
  readonly after?: Position
  /** Newest sort time included (epoch ms). */
  readonly toMs?: number
  /** Oldest sort time included (epoch ms). */
  readonly fromMs?: number
  readonly kind?: 'image' | 'video'
  /** Lowercased words; every one must occur. */
  readonly words?: readonly string[]
  /** Only these items (an album's, a share's). */
  readonly ids?: ReadonlySet<string>
  /** Matching items to skip first (month-scoped paging). */
  readonly offset?: number
  readonly limit: number
}

/** `YYYY-MM` (UTC) of a sort time. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7)

/** Newest first; same time: by id. */
const before = (a: Position, b: Position) => a.ms > b.ms || (a.ms === b.ms && a.id < b.id)

/** Items per chunk: inserts and deletes touch one chunk (and drop only its joined text). */
const CHUNK = 512
/** An id scope this many times smaller than the index is queried by sorting its items, not by a scan. */
const FEW = 8
/** Joins haystacks in a chunk's text; query words never contain it (control characters are dropped). */
const SEPARATOR = '\u0001'

interface Chunk {
  items: IndexedAsset[]
  /** Every haystack of the chunk joined, built when a search first needs it, dropped when the chunk changes. */
  text: Joined | undefined
}

interface Joined {
  readonly text: string
  /** Where each item's haystack starts in `text`. */
  readonly starts: readonly number[]
}

/**
 * Every live item in memory, sorted newest first by (sort time, id), built at open from the record entries'
 * meta (no record blobs are read) and caught up from the store's log before each query, so commits made by
 * anyone (another request, a job, the console, another process) show up without a restart.
 * Sorted chunks of at most 2×512 items: positioning is two binary searches, a change touches one chunk, and
 * a text search runs a native `indexOf` over each chunk's joined text, testing only the items it hits.
 */
export class AssetIndex {
  private chunks: Chunk[] = []
  private readonly byId = new Map<string, IndexedAsset>()
  /** Items per `YYYY-MM` of their sort time. */
  private readonly months = new Map<string, number>()
  private seq = 0
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly store: LibraryStore) {}

  get size(): number {
    return this.byId.size
  }

  async build(): Promise<void> {
    this.seq = (await this.store.head())?.seq ?? 0
    const all: IndexedAsset[] = []
    for await (const [path, entry] of this.store.list(RECORDS)) {
      const item = toIndexed(path, entry.meta)
      if (item) all.push(item)
    }
    all.sort((a, b) => (before(a, b) ? -1 : 1))
    this.chunks = []
    for (let i = 0; i < all.length; i += CHUNK) this.chunks.push({ items: all.slice(i, i + CHUNK), text: undefined })
    this.months.clear()
    for (const item of all) {
      this.byId.set(item.id, item)
      this.count(item, 1)
    }
  }

  /** Months with items, newest first, and how many each holds. */
  timeline(): Array<{ month: string; count: number }> {
    return [...this.months].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([month, count]) => ({ month, count }))
  }

  private count(item: IndexedAsset, delta: 1 | -1): void {
    const month = monthOf(item.ms)
    const n = (this.months.get(month) ?? 0) + delta
    if (n > 0) this.months.set(month, n)
    else this.months.delete(month)
  }

  /** Apply the commits made since the last look (one head lookup when nothing changed). */
  sync(): Promise<void> {
    // Chained, not shared: a caller that just committed must not get a catch-up that read HEAD before it.
    const run = this.tail.then(() => this.catchUp())
    this.tail = run.catch(() => undefined)
    return run
  }

  private async catchUp(): Promise<void> {
    const head = await this.store.head()
    if (!head || head.seq === this.seq) return
    const changed = new Set<string>()
    for await (const commit of this.store.log()) {
      if (commit.seq <= this.seq) break
      for (const path of commit.paths) if (path.startsWith(RECORDS)) changed.add(path)
    }
    for (const path of changed) {
      const id = idOfRecordPath(path)
      if (!id) continue
      const entry = await this.store.get(path)
      this.remove(id)
      const item = entry ? toIndexed(path, entry.meta) : undefined
      if (item) this.insert(item)
    }
    this.seq = Math.max(this.seq, head.seq)
  }

  /** Items whose derived work has not finished. */
  pending(): IndexedAsset[] {
    return [...this.byId.values()].filter((i) => i.summary.state === 'queued' || i.summary.state === 'running')
  }

  get(id: string): IndexedAsset | undefined {
    return this.byId.get(id)
  }

  /** One page; `next` when the page is full (the page after it may then be empty). */
  query(q: Query): { items: IndexedAsset[]; next?: Position } {
    // A small set of items (an album in a big library) is sorted on its own rather than found by a scan.
    if (q.ids && q.ids.size * FEW < this.byId.size) return this.queryFew(q, q.ids)
    let at = q.after ? this.locate(q.after, false) : { c: 0, i: 0 }
    if (q.toMs !== undefined) {
      const to = this.locate({ ms: q.toMs, id: '' }, true)
      if (to.c > at.c || (to.c === at.c && to.i > at.i)) at = to
    }
    const items: IndexedAsset[] = []
    let skip = q.offset ?? 0
    const matches = (item: IndexedAsset) =>
      (!q.ids || q.ids.has(item.id)) && (!q.kind || item.summary.kind === q.kind) && (!q.words || q.words.every((w) => item.haystack.includes(w)))
    const accepts = (item: IndexedAsset) => matches(item) && (skip === 0 || (skip--, false))
    // The longest word finds candidates by a native scan of each chunk's joined text.
    const probe = q.words?.reduce((a, b) => (b.length > a.length ? b : a))
    outer: for (let c = at.c; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!
      const start = c === at.c ? at.i : 0
      if (probe === undefined) {
        for (let i = start; i < chunk.items.length; i++) {
          const item = chunk.items[i]!
          if (q.fromMs !== undefined && item.ms < q.fromMs) break outer
          if (!accepts(item)) continue
          items.push(item)
          if (items.length === q.limit) break outer
        }
        continue
      }
      const { text, starts } = joined(chunk)
      for (let from = starts[start] ?? text.length; ; ) {
        const hit = text.indexOf(probe, from)
        if (hit < 0) break
        const i = itemAt(starts, hit)
        const item = chunk.items[i]!
        if (q.fromMs !== undefined && item.ms < q.fromMs) break outer
        if (accepts(item)) {
          items.push(item)
          if (items.length === q.limit) break outer
        }
        from = starts[i + 1] ?? text.length
      }
      if (q.fromMs !== undefined && chunk.items[chunk.items.length - 1]!.ms < q.fromMs) break
    }
    const last = items[items.length - 1]
    return last && items.length === q.limit ? { items, next: { ms: last.ms, id: last.id } } : { items }
  }

  private queryFew(q: Query, ids: ReadonlySet<string>): { items: IndexedAsset[]; next?: Position } {
    const { ids: _scan, ...rest } = q
    const few = new AssetIndex(this.store)
    const found: IndexedAsset[] = []
    for (const id of ids) {
      const item = this.byId.get(id)
      if (item) found.push(item)
    }
    found.sort((a, b) => (before(a, b) ? -1 : 1))
    for (let i = 0; i < found.length; i += CHUNK) few.chunks.push({ items: found.slice(i, i + CHUNK), text: undefined })
    return few.query(rest)
  }

  /** Chunk and offset of the first item sorting after `p` (inclusive: at or after it). */
  private locate(p: Position, inclusive: boolean): { c: number; i: number } {
    const isBefore = (item: IndexedAsset) => before(item, p) || (!inclusive && item.ms === p.ms && item.id === p.id)
    let lo = 0
    let hi = this.chunks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const items = this.chunks[mid]!.items
      if (isBefore(items[items.length - 1]!)) lo = mid + 1
      else hi = mid
    }
    if (lo === this.chunks.length) return { c: lo, i: 0 }
    const items = this.chunks[lo]!.items
    let a = 0
    let b = items.length
    while (a < b) {
      const mid = (a + b) >>> 1
      if (isBefore(items[mid]!)) a = mid + 1
      else b = mid
    }
    return { c: lo, i: a }
  }

  private insert(item: IndexedAsset): void {
    this.byId.set(item.id, item)
    this.count(item, 1)
    if (this.chunks.length === 0) {
      this.chunks.push({ items: [item], text: undefined })
      return
    }
    let { c, i } = this.locate(item, true)
    if (c === this.chunks.length) {
      c -= 1
      i = this.chunks[c]!.items.length
    }
    const chunk = this.chunks[c]!
    chunk.items.splice(i, 0, item)
    chunk.text = undefined
    if (chunk.items.length > 2 * CHUNK) this.chunks.splice(c + 1, 0, { items: chunk.items.splice(CHUNK), text: undefined })
  }

  private remove(id: string): void {
    const item = this.byId.get(id)
    if (!item) return
    this.byId.delete(id)
    this.count(item, -1)
    const { c, i } = this.locate(item, true)
    const chunk = this.chunks[c]
    if (chunk?.items[i]?.id !== id) return
    chunk.items.splice(i, 1)
    chunk.text = undefined
    if (chunk.items.length === 0) this.chunks.splice(c, 1)
  }
}

function joined(chunk: Chunk): Joined {
  if (!chunk.text) {
    const starts: number[] = []
    let at = 0
    for (const item of chunk.items) {
      starts.push(at)
      at += item.haystack.length + SEPARATOR.length
    }
    chunk.text = { text: chunk.items.map((i) => i.haystack).join(SEPARATOR), starts }
  }
  return chunk.text
}

/** The item whose haystack holds text offset `at`: the last start at or before it. */
function itemAt(starts: readonly number[], at: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (starts[mid]! <= at) lo = mid
    else hi = mid - 1
  }
  return lo
}

function toIndexed(path: string, meta: Readonly<Record<string, string>> | undefined): IndexedAsset | undefined {
  const id = idOfRecordPath(path)
  const parsed = summaryFromMeta(meta)
  if (!id || !parsed) return undefined
  const { summary, text } = parsed
  const ms = Date.parse(summary.takenAt)
  const haystack = [summary.filename, summary.caption ?? '', ...summary.tags, text].join('\n').toLowerCase()
  return { id, ms: Number.isFinite(ms) ? ms : 0, summary, haystack }
}
