/** Where a job is in its life. `queued` jobs wait for their `runAt`; `done` and `failed` are final. */
export type JobState = 'queued' | 'running' | 'done' | 'failed'

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed']

/** JSON data: what payloads and results may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** The last error a job's handler threw (or `INTERRUPTED` when the process died mid-job). */
export interface JobError {
  message: string
  code?: string
}

/** A job as stored; every timestamp is an ISO 8601 string. */
export interface JobStatus<P = unknown, R = unknown> {
  id: string
  kind: string
  key?: string
  payload: P
  state: JobState
  /** Attempts started so far (an attempt counts when it starts). */
  attempts: number
  maxAttempts: number
  createdAt: string
  updatedAt: string
  /** When a queued job becomes due. */
  runAt: string
  startedAt?: string
  finishedAt?: string
  lastError?: JobError
  result?: R
}

export interface EnqueueOptions {
  /** Idempotency key: enqueueing the same key again returns the existing job (across restarts too). */
  key?: string
  /** Attempts before the job is `failed` (default: the queue's `maxAttempts`, 5). */
  maxAttempts?: number
  /** Do not run before this many milliseconds from now. */
  delayMs?: number
}

/** Exponential backoff between attempts: `min(maxMs, baseMs * factor^(attempt-1))`, less up to `jitter` of it. */
export interface RetryPolicy {
  baseMs: number
  factor: number
  maxMs: number
  /** 0..1: the share of the delay that is randomised away (0 = exact, 1 = anywhere in [0, delay]). */
  jitter: number
}

export interface HandlerContext<P = unknown> {
  id: string
  kind: string
  payload: P
  /** 1 for the first attempt. */
  attempt: number
  /** Aborted when the queue closes; a handler that stops because of it is re-queued, not counted. */
  signal: AbortSignal
}

/** Returns the job's result (JSON, or undefined). Throwing schedules a retry; an error with
 *  `retryable: false` fails the job at once. */
export type JobHandler<P = unknown, R = unknown> = (ctx: HandlerContext<P>) => Promise<R> | R

export interface HandleOptions {
  /** Jobs of this kind running at once (default 1). */
  concurrency?: number
  /** Overrides the queue's retry policy for this kind. */
  retry?: Partial<RetryPolicy>
}

export interface ListOptions {
  state?: JobState
  kind?: string
  /** At most this many (default 100, at most 1000). */
  limit?: number
  /** Ids after this one (in the listing's order): for pagination. */
  after?: string
  /** Newest first. */
  reverse?: boolean
}

export interface QueueOptions {
  /** Directory of the queue's own LevelDB (created if missing). */
  dir: string
  /** Default attempts per job (5). */
  maxAttempts?: number
  /** Default retry policy (base 1 s, factor 2, max 5 min, jitter 0.2). */
  retry?: Partial<RetryPolicy>
  /** Internal errors (a failed write while dispatching); without a listener they become process warnings. */
  onError?: (err: unknown) => void
}

export interface QueueStats {
  /** Handlers running now, per kind. */
  running: Record<string, number>
  /** Dispatch passes since open: it grows with work and timer wake-ups, not with idle time. */
  passes: number
}

export interface PruneOptions {
  /** Jobs whose last change is older than this (a Date or epoch ms). */
  before: Date | number
  /** Also delete failed jobs (default: only done ones). */
  failed?: boolean
}
