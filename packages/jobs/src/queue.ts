import { DEFAULT_RETRY } from './backoff.js'
import { JobsError } from './errors.js'
import { JobDb } from './job-db.js'
import { newId } from './keys.js'
import { serial } from './lock.js'
import { recover } from './recover.js'
import { Dispatcher, type Registered } from './dispatcher.js'
import { SettledEvents, type SettledListener } from './settled.js'
import { INTERRUPTED } from './transitions.js'
import type { EnqueueOptions, HandleOptions, JobHandler, JobStatus, ListOptions, PruneOptions, QueueOptions, QueueStats, RetryPolicy } from './types.js'
import {
  checkEnqueueOptions,
  checkHandleOptions,
  checkKind,
  checkListOptions,
  checkMaxAttempts,
  checkPruneOptions,
  checkRetry,
  encodePayload,
} from './validate.js'

export interface JobQueue {
  /** Store a job (one synced write). With `key`, an existing job of that key is returned instead. */
  enqueue<P = unknown>(kind: string, payload: P, opts?: EnqueueOptions): Promise<JobStatus<P>>
  /** Run jobs of `kind` with `handler`, at most `concurrency` at once. One handler per kind. */
  handle<P = any, R = unknown>(kind: string, handler: JobHandler<P, R>, opts?: HandleOptions): void
  get(id: string): Promise<JobStatus | undefined>
  getByKey(key: string): Promise<JobStatus | undefined>
  list(opts?: ListOptions): Promise<JobStatus[]>
  /** Put a failed job back in the queue with its attempts reset. */
  retry(id: string): Promise<JobStatus>
  /** Delete finished jobs (`done`, or `failed` too) last updated before `before`; their keys become free. */
  prune(opts: PruneOptions): Promise<number>
  /** Resolves with the job once it is done or failed (WAIT_TIMEOUT after `timeoutMs`, default 60 s). */
  waitFor(id: string, opts?: { timeoutMs?: number }): Promise<JobStatus>
  /** Called whenever a job reaches done or failed; returns an unsubscribe function. */
  onSettled(listener: SettledListener): () => void
  /** Begin running due jobs. Enqueueing and handler registration work before it too. */
  start(): void
  /** Stop taking jobs, abort running handlers' signals, wait for them up to `timeoutMs` (default 10 s), close. */
  close(opts?: { timeoutMs?: number }): Promise<void>
  stats(): QueueStats
}

/** Open (or create) the queue in `dir`. Jobs left running by a process that died are queued again. */
export async function openJobQueue(opts: QueueOptions): Promise<JobQueue> {
  if (typeof opts?.dir !== 'string' || opts.dir === '') throw new JobsError('OPTION_INVALID', 'dir is required')
  const maxAttempts = checkMaxAttempts(opts.maxAttempts ?? 5)
  const retry = checkRetry(DEFAULT_RETRY, opts.retry)
  const db = await JobDb.open(opts.dir)
  try {
    await recover(db, Date.now(), INTERRUPTED)
  } catch (err) {
    await db.close()
    throw err
  }
  return new Queue(db, maxAttempts, retry, opts.onError)
}

class Queue implements JobQueue {
  private readonly handlers = new Map<string, Registered>()
  private readonly writes = serial()
  private readonly events: SettledEvents
  private readonly dispatcher: Dispatcher
  private closing: Promise<void> | undefined

  constructor(
    private readonly db: JobDb,
    private readonly maxAttempts: number,
    private readonly retryPolicy: RetryPolicy,
    onError: ((err: unknown) => void) | undefined,
  ) {
    const report = (err: unknown): void => {
      if (onError) onError(err)
      else process.emitWarning(err instanceof Error ? err : new Error(String(err)), { code: 'EVERLOCK_JOBS' })
    }
    this.events = new SettledEvents(report)
    this.dispatcher = new Dispatcher(db, this.handlers, (job) => this.events.emit(job), report)
  }

  private open(): void {
    if (this.closing) throw new JobsError('QUEUE_CLOSED', 'the job queue is closed')
  }

  async enqueue<P>(kind: string, payload: P, opts: EnqueueOptions = {}): Promise<JobStatus<P>> {
    this.open()
    checkKind(kind)
    const stored = encodePayload(payload)
    const o = checkEnqueueOptions(opts)
    return this.writes(async () => {
      this.open()
      if (o.key !== undefined) {
        const id = await this.db.idForKey(o.key)
        const existing = id === undefined ? undefined : await this.db.get(id)
        if (existing) {
          if (existing.kind !== kind) throw new JobsError('KEY_CONFLICT', 'the key belongs to a job of another kind')
          return existing as JobStatus<P>
        }
      }
      const now = Date.now()
      const at = new Date(now).toISOString()
      const job: JobStatus = {
        id: newId(now),
        kind,
        ...(o.key !== undefined && { key: o.key }),
        payload: stored,
        state: 'queued',
        attempts: 0,
        maxAttempts: o.maxAttempts ?? this.maxAttempts,
        createdAt: at,
        updatedAt: at,
        runAt: new Date(now + o.delayMs).toISOString(),
      }
      await this.db.insert(job)
      this.dispatcher.kick()
      return job as JobStatus<P>
    })
  }

  handle<P, R>(kind: string, handler: JobHandler<P, R>, opts: HandleOptions = {}): void {
    this.open()
    checkKind(kind)
    if (typeof handler !== 'function') throw new JobsError('OPTION_INVALID', 'a handler is a function')
    if (this.handlers.has(kind)) throw new JobsError('HANDLER_EXISTS', `a handler for ${kind} is already registered`)
    const { concurrency } = checkHandleOptions(opts)
    const retry = checkRetry(this.retryPolicy, opts.retry)
    this.handlers.set(kind, { fn: handler as JobHandler, concurrency, retry, running: 0 })
    this.dispatcher.kick()
  }

  async get(id: string): Promise<JobStatus | undefined> {
    this.open()
    if (typeof id !== 'string' || !/^[0-9a-z]{1,40}$/.test(id)) return undefined
    return this.db.get(id)
  }

  async getByKey(key: string): Promise<JobStatus | undefined> {
    this.open()
    if (typeof key !== 'string') return undefined
    const id = await this.db.idForKey(key)
    return id === undefined ? undefined : this.db.get(id)
  }

  async list(opts: ListOptions = {}): Promise<JobStatus[]> {
    this.open()
    const o = checkListOptions(opts)
    const out: JobStatus[] = []
    const take = (job: JobStatus | undefined): boolean => {
      if (job && (o.kind === undefined || job.kind === o.kind)) out.push(job)
      return out.length >= o.limit
    }
    const range = { ...(o.after !== undefined && { after: o.after }), reverse: o.reverse }
    if (o.state !== undefined) {
      for await (const id of this.db.idsIn(o.state, range)) if (take(await this.db.get(id))) break
    } else {
      for await (const job of this.db.all(range)) if (take(job)) break
    }
    return out
  }

  async retry(id: string): Promise<JobStatus> {
    this.open()
    return this.writes(async () => {
      this.open()
      const job = await this.get(id)
      if (!job) throw new JobsError('JOB_UNKNOWN', 'no such job')
      if (job.state !== 'failed') throw new JobsError('JOB_NOT_FAILED', `the job is ${job.state}, not failed`)
      const at = new Date().toISOString()
      const next: JobStatus = { ...job, state: 'queued', attempts: 0, runAt: at, updatedAt: at }
      delete next.finishedAt
      await this.db.update(job, next)
      this.dispatcher.kick()
      return next
    })
  }

  async prune(opts: PruneOptions): Promise<number> {
    this.open()
    const o = checkPruneOptions(opts)
    return this.writes(async () => {
      let removed = 0
      for (const state of o.states) {
        const ids: string[] = []
        for await (const id of this.db.idsIn(state, { reverse: false })) ids.push(id)
        for (const id of ids) {
          const job = await this.db.get(id)
          if (job && Date.parse(job.updatedAt) < o.before) {
            await this.db.remove(job)
            removed++
          }
        }
      }
      return removed
    })
  }

  async waitFor(id: string, opts: { timeoutMs?: number } = {}): Promise<JobStatus> {
    this.open()
    return this.events.wait(id, opts.timeoutMs ?? 60_000, () => this.get(id))
  }

  onSettled(listener: SettledListener): () => void {
    return this.events.on(listener)
  }

  start(): void {
    this.open()
    this.dispatcher.start()
  }

  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      await this.writes(async () => undefined)
      await this.dispatcher.stop(opts.timeoutMs ?? 10_000)
      this.events.close()
      await this.db.close()
    })()
    return this.closing
  }

  stats(): QueueStats {
    const running: Record<string, number> = {}
    for (const [kind, h] of this.handlers) running[kind] = h.running
    return { running, passes: this.dispatcher.passes }
  }
}
