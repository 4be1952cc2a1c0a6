import { JobsError } from './errors.js'
import type { EnqueueOptions, HandleOptions, JobState, ListOptions, PruneOptions, RetryPolicy } from './types.js'
import { JOB_STATES } from './types.js'

const KIND = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/
const MAX_KEY = 512
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
export const MAX_PAYLOAD_BYTES = 1024 * 1024
const MAX_DELAY_MS = 10 * 365 * 24 * 3600 * 1000

export function checkKind(kind: unknown): string {
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw new JobsError('KIND_INVALID', 'a job kind is 1-64 letters, digits and . _ : / - starting with a letter or digit')
  }
  return kind
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY || LONE_SURROGATE.test(key)) {
    throw new JobsError('KEY_INVALID', `a job key is a non-empty string of at most ${MAX_KEY} characters`)
  }
  return key
}

/** The payload as stored: JSON text that parses back to the same data. */
export function encodePayload(payload: unknown): unknown {
  let text: string | undefined
  try {
    text = JSON.stringify(payload)
  } catch (cause) {
    throw new JobsError('PAYLOAD_INVALID', 'the payload is not JSON-serialisable', { cause })
  }
  if (text === undefined) throw new JobsError('PAYLOAD_INVALID', 'the payload is not JSON-serialisable')
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new JobsError('PAYLOAD_INVALID', `the payload is larger than ${MAX_PAYLOAD_BYTES} bytes of JSON`)
  }
  return JSON.parse(text)
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new JobsError('OPTION_INVALID', `${name} must be an integer from ${min} to ${max}`)
  }
  return v
}

function num(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new JobsError('OPTION_INVALID', `${name} must be a number from ${min} to ${max}`)
  }
  return v
}

export function checkMaxAttempts(v: unknown): number {
  return int('maxAttempts', v, 1, 1000)
}

export function checkEnqueueOptions(opts: EnqueueOptions): { key?: string; maxAttempts?: number; delayMs: number } {
  return {
    ...(opts.key !== undefined && { key: checkKey(opts.key) }),
    ...(opts.maxAttempts !== undefined && { maxAttempts: checkMaxAttempts(opts.maxAttempts) }),
    delayMs: opts.delayMs === undefined ? 0 : int('delayMs', opts.delayMs, 0, MAX_DELAY_MS),
  }
}

export function checkRetry(base: RetryPolicy, over: Partial<RetryPolicy> | undefined): RetryPolicy {
  const r = { ...base, ...over }
  return {
    baseMs: int('retry.baseMs', r.baseMs, 0, MAX_DELAY_MS),
    factor: num('retry.factor', r.factor, 1, 1000),
    maxMs: int('retry.maxMs', r.maxMs, 0, MAX_DELAY_MS),
    jitter: num('retry.jitter', r.jitter, 0, 1),
  }
}

export function checkHandleOptions(opts: HandleOptions): { concurrency: number } {
  return { concurrency: opts.concurrency === undefined ? 1 : int('concurrency', opts.concurrency, 1, 1000) }
}

export function checkListOptions(opts: ListOptions): Required<Pick<ListOptions, 'limit' | 'reverse'>> & ListOptions {
  if (opts.state !== undefined && !JOB_STATES.includes(opts.state)) {
    throw new JobsError('OPTION_INVALID', `state must be one of ${JOB_STATES.join(', ')}`)
  }
  if (opts.kind !== undefined) checkKind(opts.kind)
  if (opts.after !== undefined && typeof opts.after !== 'string') throw new JobsError('OPTION_INVALID', 'after must be a job id')
  return { ...opts, limit: opts.limit === undefined ? 100 : int('limit', opts.limit, 1, 1000), reverse: opts.reverse === true }
}

export function checkPruneOptions(opts: PruneOptions): { before: number; states: JobState[] } {
  const before = opts?.before instanceof Date ? opts.before.getTime() : opts?.before
  if (typeof before !== 'number' || !Number.isFinite(before)) throw new JobsError('OPTION_INVALID', 'before must be a Date or epoch ms')
  return { before, states: opts.failed === true ? ['done', 'failed'] : ['done'] }
}
