import { JobsError } from './errors.js'
import type { JobStatus } from './types.js'

export type SettledListener = (job: JobStatus) => void

/** Listeners for jobs reaching `done` or `failed`, and promises waiting for one job. */
export class SettledEvents {
  private readonly listeners = new Set<SettledListener>()
  private readonly waiters = new Map<string, Set<(job: JobStatus) => void>>()

  private closeWaiters!: (err: JobsError) => void
  private readonly closed = new Promise<never>((_, reject) => (this.closeWaiters = reject))

  constructor(private readonly report: (err: unknown) => void) {
    this.closed.catch(() => undefined)
  }

  /** Waiters still pending reject with QUEUE_CLOSED. */
  close(): void {
    this.closeWaiters(new JobsError('QUEUE_CLOSED', 'the queue closed before the job settled'))
  }

  on(listener: SettledListener): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  emit(job: JobStatus): void {
    for (const resolve of this.waiters.get(job.id) ?? []) resolve(job)
    this.waiters.delete(job.id)
    for (const listener of this.listeners) {
      try {
        listener(job)
      } catch (err) {
        this.report(err)
      }
    }
  }

  /** Resolves when `id` settles; `current` is read after the waiter is in place, so no settle is missed. */
  async wait(id: string, timeoutMs: number, current: () => Promise<JobStatus | undefined>): Promise<JobStatus> {
    let resolve!: (job: JobStatus) => void
    const settled = new Promise<JobStatus>((r) => (resolve = r))
    const set = this.waiters.get(id) ?? new Set()
    set.add(resolve)
    this.waiters.set(id, set)
    let timer: NodeJS.Timeout | undefined
    try {
      const job = await current()
      if (!job) throw new JobsError('JOB_UNKNOWN', 'no such job')
      if (job.state === 'done' || job.state === 'failed') return job
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new JobsError('WAIT_TIMEOUT', `job did not settle within ${timeoutMs} ms`)), timeoutMs)
      })
      return await Promise.race([settled, timeout, this.closed])
    } finally {
      clearTimeout(timer)
      set.delete(resolve)
      if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id)
    }
  }
}
