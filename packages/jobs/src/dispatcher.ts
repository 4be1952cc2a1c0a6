import { backoffDelay } from './backoff.js'
import { JobsError } from './errors.js'
import type { JobDb } from './job-db.js'
import { claimed, describeError, failed, released, retried, succeeded } from './transitions.js'
import type { JobHandler, JobStatus, RetryPolicy } from './types.js'
import { encodePayload } from './validate.js'

export interface Registered {
  fn: JobHandler
  concurrency: number
  retry: RetryPolicy
  running: number
}

const MAX_SLEEP_MS = 60 * 60_000
const RETRY_AFTER_ERROR_MS = 1000

/**
 * Claims due jobs for kinds with free slots and runs them. Passes run one at a time; between them it sleeps
 * until the earliest due job of a kind with a free slot (one timer), or until a kick (enqueue, a settled job).
 */
export class Dispatcher {
  passes = 0
  private started = false
  private stopped = false
  private pumping: Promise<void> | undefined
  private again = false
  private timer: NodeJS.Timeout | undefined
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>()

  constructor(
    private readonly db: JobDb,
    private readonly handlers: Map<string, Registered>,
    private readonly settled: (job: JobStatus) => void,
    private readonly report: (err: unknown) => void,
  ) {}

  start(): void {
    this.started = true
    this.kick()
  }

  kick(): void {
    if (!this.started || this.stopped) return
    if (this.pumping) {
      this.again = true
      return
    }
    this.pumping = this.pump().finally(() => (this.pumping = undefined))
  }

  /** No new jobs; abort the running ones and wait for them up to `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.pumping
    for (const { controller } of this.running.values()) controller.abort(new JobsError('QUEUE_CLOSED', 'the job queue is closing'))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([Promise.allSettled([...this.running.values()].map((r) => r.done)), timeout])
    clearTimeout(timer)
    this.running.clear()
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false
        this.passes++
        this.arm(await this.pass())
      } while (this.again && !this.stopped)
    } catch (err) {
      this.report(err)
      this.arm(Date.now() + RETRY_AFTER_ERROR_MS)
    }
  }

  /** Launch what is due; return when the next queued job of a kind with a free slot is due. */
  private async pass(): Promise<number> {
    const now = Date.now()
    let next = Infinity
    for (const [kind, h] of this.handlers) {
      if (h.running >= h.concurrency) continue
      for (const id of await this.db.dueIds(kind, now, h.concurrency - h.running)) {
        if (this.stopped) return Infinity
        await this.launch(id, h)
      }
      if (h.running < h.concurrency) next = Math.min(next, (await this.db.nextDue(kind)) ?? Infinity)
    }
    return next
  }

  private arm(at: number): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (at === Infinity || this.stopped) return
    this.timer = setTimeout(() => this.kick(), Math.min(MAX_SLEEP_MS, Math.max(0, at - Date.now())))
  }

  private async launch(id: string, h: Registered): Promise<void> {
    const job = await this.db.get(id)
    if (!job || job.state !== 'queued') return
    const run = claimed(job, Date.now())
    await this.db.update(job, run)
    h.running++
    const controller = new AbortController()
    const done = this.execute(run, h, controller.signal).finally(() => {
      h.running--
      this.running.delete(id)
      this.kick()
    })
    this.running.set(id, { controller, done })
  }

  private async execute(job: JobStatus, h: Registered, signal: AbortSignal): Promise<void> {
    let next: JobStatus
    try {
      const result = await h.fn({ id: job.id, kind: job.kind, payload: job.payload, attempt: job.attempts, signal })
      next = succeeded(job, result === undefined ? undefined : encodePayload(result), Date.now())
    } catch (err) {
      next = this.afterFailure(job, h, err, signal.aborted)
    }
    if (this.stopped && !this.running.has(job.id)) return // close() gave up waiting: the next open recovers it
    try {
      await this.db.update(job, next)
    } catch (err) {
      this.report(err)
      return
    }
    if (next.state === 'done' || next.state === 'failed') this.settled(next)
  }

  private afterFailure(job: JobStatus, h: Registered, err: unknown, aborted: boolean): JobStatus {
    const now = Date.now()
    if (aborted) return released(job, now)
    const permanent = (err as { retryable?: unknown } | null)?.retryable === false
    if (permanent || job.attempts >= job.maxAttempts) return failed(job, describeError(err), now)
    return retried(job, describeError(err), now + backoffDelay(h.retry, job.attempts), now)
  }
}
