import { Level } from 'level'
import { dueKey, duePrefix, dueTime, idemKey, idOf, jobKey, stateKey, statePrefix } from './keys.js'
import type { JobState, JobStatus } from './types.js'

type Op = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string }

/** The queue's LevelDB: job records and their indexes. Every change is one synced batch. */
export class JobDb {
  private constructor(private readonly db: Level<string, unknown>) {}

  static async open(dir: string): Promise<JobDb> {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' })
    await db.open()
    return new JobDb(db)
  }

  close(): Promise<void> {
    return this.db.close()
  }

  async get(id: string): Promise<JobStatus | undefined> {
    return (await this.db.get(jobKey(id))) as JobStatus | undefined
  }

  async idForKey(key: string): Promise<string | undefined> {
    return (await this.db.get(idemKey(key))) as string | undefined
  }

  /** Store a new job with its key and indexes. */
  insert(job: JobStatus): Promise<void> {
    const ops: Op[] = [...indexOps(undefined, job), { type: 'put', key: jobKey(job.id), value: job }]
    if (job.key !== undefined) ops.push({ type: 'put', key: idemKey(job.key), value: job.id })
    return this.db.batch(ops, { sync: true })
  }

  /** Replace `prev` by `next` (same id), moving its indexes, atomically. */
  update(prev: JobStatus, next: JobStatus): Promise<void> {
    const ops: Op[] = [...indexOps(prev, next), { type: 'put', key: jobKey(next.id), value: next }]
    return this.db.batch(ops, { sync: true })
  }

  /** Delete a finished job, its key and its state index. */
  remove(job: JobStatus): Promise<void> {
    const ops: Op[] = [
      { type: 'del', key: jobKey(job.id) },
      { type: 'del', key: stateKey(job.state, job.id) },
    ]
    if (job.key !== undefined) ops.push({ type: 'del', key: idemKey(job.key) })
    return this.db.batch(ops, { sync: true })
  }

  /** Ids of queued jobs of `kind` due at or before `now`, earliest first. */
  async dueIds(kind: string, now: number, limit: number): Promise<string[]> {
    const ids: string[] = []
    for await (const key of this.db.keys({ gte: duePrefix(kind), lt: dueKey(kind, now + 1, ''), limit })) ids.push(idOf(key))
    return ids
  }

  /** When the earliest queued job of `kind` is due, if any. */
  async nextDue(kind: string): Promise<number | undefined> {
    for await (const key of this.db.keys({ gte: duePrefix(kind), lt: `${duePrefix(kind)}~`, limit: 1 })) return dueTime(key)
    return undefined
  }

  /** Ids in a state, in id (creation) order. */
  async *idsIn(state: JobState, opts: { after?: string; reverse: boolean }): AsyncIterable<string> {
    const prefix = statePrefix(state)
    const range = opts.reverse
      ? { gte: prefix, lt: opts.after !== undefined ? prefix + opts.after : `${prefix}~` }
      : { gt: opts.after !== undefined ? prefix + opts.after : prefix, lt: `${prefix}~` }
    for await (const key of this.db.keys({ ...range, reverse: opts.reverse })) yield idOf(key)
  }

  /** Every job, in id (creation) order. */
  async *all(opts: { after?: string; reverse: boolean }): AsyncIterable<JobStatus> {
    const range = opts.reverse
      ? { gte: 'job!', lt: opts.after !== undefined ? jobKey(opts.after) : 'job!~' }
      : { gt: opts.after !== undefined ? jobKey(opts.after) : 'job!', lt: 'job!~' }
    for await (const value of this.db.values({ ...range, reverse: opts.reverse })) yield value as JobStatus
  }
}

function indexOps(prev: JobStatus | undefined, next: JobStatus): Op[] {
  const ops: Op[] = []
  if (prev) {
    ops.push({ type: 'del', key: stateKey(prev.state, prev.id) })
    if (prev.state === 'queued') ops.push({ type: 'del', key: dueKey(prev.kind, Date.parse(prev.runAt), prev.id) })
  }
  ops.push({ type: 'put', key: stateKey(next.state, next.id), value: '' })
  if (next.state === 'queued') ops.push({ type: 'put', key: dueKey(next.kind, Date.parse(next.runAt), next.id), value: '' })
  return ops
}
