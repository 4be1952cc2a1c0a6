import type { JobError, JobStatus } from './types.js'

// Pure functions: the next record of a job for each state change. The caller writes prev → next in one batch.

const iso = (ms: number): string => new Date(ms).toISOString()

export function claimed(job: JobStatus, now: number): JobStatus {
  return { ...job, state: 'running', attempts: job.attempts + 1, startedAt: iso(now), updatedAt: iso(now) }
}

export function succeeded(job: JobStatus, result: unknown, now: number): JobStatus {
  const next: JobStatus = { ...job, state: 'done', finishedAt: iso(now), updatedAt: iso(now) }
  if (result === undefined) delete next.result
  else next.result = result
  return next
}

export function retried(job: JobStatus, error: JobError, runAt: number, now: number): JobStatus {
  return { ...job, state: 'queued', lastError: error, runAt: iso(runAt), updatedAt: iso(now) }
}

export function failed(job: JobStatus, error: JobError, now: number): JobStatus {
  return { ...job, state: 'failed', lastError: error, finishedAt: iso(now), updatedAt: iso(now) }
}

/** Stopped by close(): back in the queue in its old place in line, and the attempt does not count. */
export function released(job: JobStatus, now: number): JobStatus {
  return { ...job, state: 'queued', attempts: Math.max(0, job.attempts - 1), updatedAt: iso(now) }
}

/** An error as recorded: its message (bounded) and its string `code`, if any. */
export function describeError(err: unknown): JobError {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown } | null)?.code
  return { message: message.slice(0, 2000), ...(typeof code === 'string' && { code: code.slice(0, 200) }) }
}

export const INTERRUPTED: JobError = { message: 'the process stopped while the job was running', code: 'INTERRUPTED' }
