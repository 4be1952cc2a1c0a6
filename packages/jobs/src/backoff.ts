import type { RetryPolicy } from './types.js'

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, factor: 2, maxMs: 5 * 60_000, jitter: 0.2 }

/** Milliseconds to wait after failed attempt number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const raw = policy.baseMs * policy.factor ** Math.max(0, attempt - 1)
  const capped = Math.min(policy.maxMs, raw)
  return Math.round(capped * (1 - policy.jitter * random()))
}
