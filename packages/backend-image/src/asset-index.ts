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
  readonly limit: number
}

/** Newest first; same time: by id. */
const before = (a: Position, b: Position) => a.ms > b.ms || (a.ms === b.ms && a.id < b.id)

/**
 * Every live item in memory, sorted newest first by (sort time, id), built at open from the record entries'
 * meta (no record blobs are read) and caught up from the store's log before each query, so commits made by
 * anyone (another request, a job, the console) show up without a restart.
 */
export class AssetIndex {
  private readonly sorted: IndexedAsset[] = []
  private readonly byId = new Map<string, IndexedAsset>()
  private seq = 0
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly store: LibraryStore) {}

  get size(): number {
    return this.sorted.length
  }

  async build(): Promise<void> {
    this.seq = (await this.store.head())?.seq ?? 0
    const all: IndexedAsset[] = []
    for await (const [path, entry] of this.store.list(RECORDS)) {
      const item = toIndexed(path, entry.meta)
      if (item) all.push(item)
    }
    all.sort((a, b) => (before(a, b) ? -1 : 1))
    this.sorted.push(...all)
    for (const item of all) this.byId.set(item.id, item)
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
    return this.sorted.filter((i) => i.summary.state === 'queued' || i.summary.state === 'running')
  }

  get(id: string): IndexedAsset | undefined {
    return this.byId.get(id)
  }

  query(q: Query): { items: IndexedAsset[]; next?: Position } {
    let i = q.after ? this.firstAfter(q.after) : 0
    if (q.toMs !== undefined) i = Math.max(i, this.firstAfter({ ms: q.toMs, id: '' }, true))
    const items: IndexedAsset[] = []
    for (; i < this.sorted.length && items.length < q.limit; i++) {
      const item = this.sorted[i]!
      if (q.fromMs !== undefined && item.ms < q.fromMs) break
      if (q.kind && item.summary.kind !== q.kind) continue
      if (q.words && !q.words.every((w) => item.haystack.includes(w))) continue
      items.push(item)
    }
    const last = items[items.length - 1]
    const more = i < this.sorted.length && !(q.fromMs !== undefined && this.sorted[i]!.ms < q.fromMs)
    return more && last && items.length === q.limit ? { items, next: { ms: last.ms, id: last.id } } : { items }
  }

  /** Index of the first item sorting after `p` (or, inclusive, at or after it). */
  private firstAfter(p: Position, inclusive = false): number {
    let lo = 0
    let hi = this.sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const item = this.sorted[mid]!
      const isBefore = inclusive ? before(item, p) : before(item, p) || (item.ms === p.ms && item.id === p.id)
      if (isBefore) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private insert(item: IndexedAsset): void {
    this.sorted.splice(this.firstAfter(item, true), 0, item)
    this.byId.set(item.id, item)
  }

  private remove(id: string): void {
    const item = this.byId.get(id)
    if (!item) return
    const at = this.firstAfter(item, true)
    if (this.sorted[at]?.id === id) this.sorted.splice(at, 1)
    this.byId.delete(id)
  }
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
