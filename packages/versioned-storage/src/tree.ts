import type { Level } from 'level'
import type { BlobDriver, Change, Commit, CommitId, Entry, ListOptions, LogOptions } from './types'
import { StorageError } from './errors'
import { assertPath, assertPrefix } from './paths'
import { assertCommitMeta, normaliseChanges } from './validate-changes'
import { commitIdOf, publicCommit, type CommitRecord } from './commit-record'
import { Mutex } from './mutex'
import {
  END,
  HEAD_KEY,
  commitIdKey,
  commitKey,
  historyKey,
  historyPrefix,
  lowerBound,
  parseHistoryKey,
  seqKey,
  treeKey,
} from './keys'

type Db = Level<string, string>
type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string }

/** The versioned path tree of one store: atomic commits, reads at HEAD or any commit, history. */
export class Tree {
  private readonly mutex = new Mutex()

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobDriver,
  ) {}

  async commit(changes: readonly Change[], meta: { author: string; message: string }): Promise<Commit> {
    assertCommitMeta(meta)
    const normalised = normaliseChanges(changes)
    await this.assertBlobsExist(normalised)
    return this.mutex.run(async () => {
      const headSeq = await this.headSeq()
      const parent = headSeq === 0 ? null : (await this.record(headSeq)).id
      const unsigned = {
        parent,
        seq: headSeq + 1,
        author: meta.author,
        message: meta.message,
        time: new Date().toISOString(),
        paths: normalised.map((c) => c.path).sort(),
        changes: normalised,
      }
      const record: CommitRecord = { id: commitIdOf(unsigned), ...unsigned }
      await this.db.batch(this.batchFor(record), { sync: true })
      return publicCommit(record)
    })
  }

  async get(path: string, at?: CommitId): Promise<Entry | undefined> {
    assertPath(path)
    if (at === undefined) return parseEntry(await this.db.get(treeKey(path)))
    const seq = await this.seqOf(at)
    for await (const [, value] of this.db.iterator({ gte: historyPrefix(path), lte: historyKey(path, seq), reverse: true, limit: 1 })) {
      return parseEntry(value)
    }
    return undefined
  }

  async *list(prefix: string, opts: ListOptions = {}): AsyncIterable<[string, Entry]> {
    assertPrefix(prefix)
    const limit = opts.limit ?? Infinity
    if (limit <= 0) return
    if (opts.at === undefined) {
      yield* this.listHead(prefix, opts.after, limit)
    } else {
      yield* this.listAt(prefix, await this.seqOf(opts.at), opts.after, limit)
    }
  }

  async *log(opts: LogOptions = {}): AsyncIterable<Commit> {
    const limit = opts.limit ?? Infinity
    if (limit <= 0) return
    let count = 0
    if (opts.path !== undefined && !opts.path.endsWith('/')) {
      assertPath(opts.path)
      for await (const key of this.db.keys({ gte: historyPrefix(opts.path), lt: historyPrefix(opts.path) + END, reverse: true })) {
        yield publicCommit(await this.record(parseHistoryKey(key).seq))
        if (++count >= limit) return
      }
      return
    }
    const prefix = opts.path
    if (prefix !== undefined) assertPrefix(prefix)
    for await (const value of this.db.values({ gte: 'c!', lt: 'c!' + END, reverse: true })) {
      const record = JSON.parse(value) as CommitRecord
      if (prefix !== undefined && !record.paths.some((p) => p.startsWith(prefix))) continue
      yield publicCommit(record)
      if (++count >= limit) return
    }
  }

  async head(): Promise<Commit | undefined> {
    const seq = await this.headSeq()
    return seq === 0 ? undefined : publicCommit(await this.record(seq))
  }

  async getCommit(id: CommitId): Promise<Commit | undefined> {
    if (typeof id !== 'string') return undefined
    const seq = await this.db.get(commitIdKey(id))
    return seq === undefined ? undefined : publicCommit(await this.record(Number(seq)))
  }

  /** Every commit record, oldest first (for verification). */
  async *records(): AsyncIterable<CommitRecord> {
    for await (const value of this.db.values({ gte: 'c!', lt: 'c!' + END })) yield JSON.parse(value) as CommitRecord
  }

  /** Every entry at HEAD. */
  async *entries(): AsyncIterable<[string, Entry]> {
    for await (const [key, value] of this.db.iterator({ gte: 't!', lt: 't!' + END })) {
      yield [key.slice(2), JSON.parse(value) as Entry]
    }
  }

  private batchFor(record: CommitRecord): BatchOp[] {
    const ops: BatchOp[] = [
      { type: 'put', key: commitKey(record.seq), value: JSON.stringify(record) },
      { type: 'put', key: commitIdKey(record.id), value: String(record.seq) },
      { type: 'put', key: HEAD_KEY, value: String(record.seq) },
    ]
    for (const change of record.changes) {
      if (change.op === 'put') {
        const entry = JSON.stringify(toEntry(change))
        ops.push({ type: 'put', key: treeKey(change.path), value: entry })
        ops.push({ type: 'put', key: historyKey(change.path, record.seq), value: entry })
      } else {
        ops.push({ type: 'del', key: treeKey(change.path) })
        ops.push({ type: 'put', key: historyKey(change.path, record.seq), value: '' })
      }
    }
    return ops
  }

  private async assertBlobsExist(changes: readonly Change[]): Promise<void> {
    const seen = new Map<string, number>()
    for (const change of changes) {
      if (change.op !== 'put') continue
      let size = seen.get(change.digest)
      if (size === undefined) {
        const stat = await this.blobs.stat(change.digest)
        if (!stat) throw new StorageError('BLOB_UNKNOWN', `'${change.path}' names blob ${change.digest}, which is unknown`)
        size = stat.size
        seen.set(change.digest, size)
      }
      if (size !== change.size) {
        throw new StorageError('SIZE_MISMATCH', `'${change.path}' says ${change.size} bytes, blob ${change.digest} has ${size}`)
      }
    }
  }

  private async *listHead(prefix: string, after: string | undefined, limit: number): AsyncIterable<[string, Entry]> {
    let count = 0
    for await (const [key, value] of this.db.iterator({ ...lowerBound('t!', prefix, after), lt: treeKey(prefix) + END })) {
      yield [key.slice(2), JSON.parse(value) as Entry]
      if (++count >= limit) return
    }
  }

  private async *listAt(prefix: string, seq: number, after: string | undefined, limit: number): AsyncIterable<[string, Entry]> {
    // History keys group by path (h!<path>\0<seq>); within a path, the last key ≤ seq is the entry at that commit.
    let count = 0
    let current: { path: string; value: string | undefined } | undefined
    const flush = function* (): Generator<[string, Entry]> {
      if (current?.value) yield [current.path, JSON.parse(current.value) as Entry]
    }
    // Past every history key of `after` itself: h!<after>\0<seq> < h!<after>\0<END> < h!<any later path>…
    const lower = lowerBound('h!', prefix, after, `\u0000${END}`)
    for await (const [key, value] of this.db.iterator({ ...lower, lt: `h!${prefix}${END}` })) {
      const parsed = parseHistoryKey(key)
      if (current && current.path !== parsed.path) {
        for (const item of flush()) {
          yield item
          if (++count >= limit) return
        }
        current = undefined
      }
      if (!current) current = { path: parsed.path, value: undefined }
      if (parsed.seq <= seq) current.value = value
    }
    for (const item of flush()) {
      yield item
      if (++count >= limit) return
    }
  }

  private async headSeq(): Promise<number> {
    const value = await this.db.get(HEAD_KEY)
    return value === undefined ? 0 : Number(value)
  }

  private async seqOf(id: CommitId): Promise<number> {
    const seq = typeof id === 'string' ? await this.db.get(commitIdKey(id)) : undefined
    if (seq === undefined) throw new StorageError('COMMIT_UNKNOWN', `commit '${String(id).slice(0, 80)}' is unknown`)
    return Number(seq)
  }

  private async record(seq: number): Promise<CommitRecord> {
    const value = await this.db.get(commitKey(seq))
    if (value === undefined) throw new StorageError('COMMIT_UNKNOWN', `commit #${seqKey(seq)} is missing`)
    return JSON.parse(value) as CommitRecord
  }
}

function toEntry(change: Extract<Change, { op: 'put' }>): Entry {
  return change.meta ? { digest: change.digest, size: change.size, meta: change.meta } : { digest: change.digest, size: change.size }
}

function parseEntry(value: string | undefined): Entry | undefined {
  return value ? (JSON.parse(value) as Entry) : undefined
}
