import { isIPv6 } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { HttpFrontendError } from './errors.js'

export interface LoginThrottleOptions {
  /** Delay after the first failure from an address (default 100 ms); each further one doubles it. */
  baseDelayMs?: number
  /** Cap on the delay (default 4000 ms). */
  maxDelayMs?: number
  /** The failure score of an address halves in this time (default 60 s). */
  halfLifeMs?: number
  /** Most addresses remembered; the least recently failing are forgotten first (default 10 000). */
  maxAddresses?: number
  /**
   * Distinct password checks that may be pending (checking, or waiting to answer a failure) per penalised
   * address; a further distinct one is refused with `LOGIN_THROTTLED` (429) instead of being checked (default 16).
   */
  maxPending?: number
  now?: () => number
}

/**
 * Slows failed logins per remote address (IPv6 per /64, the block one host usually holds): each failure raises
 * the address's score by one (the score decays with a half-life), and the refusal is answered only after
 * `base * 2^(score-1)` ms, capped. Successful logins are never delayed by a penalty and never refused as wrong.
 *
 * Password checks go through `check`: identical credentials pending from an address share one check; failed
 * checks from an address answer one at a time, each after its delay; and while the address is penalised
 * (score >= 0.5: a failure within the last half-life) at most `maxPending` distinct checks may be pending.
 * A guess is only checked once a slot is free, and a slot of a wrong guess frees only when its delayed answer
 * is out, so parallel guessing is no faster than serial.
 */
export interface LoginThrottle {
  /** Records a failure from `address` and resolves when its answer may be sent (no turn taken). */
  failure(address: string): Promise<void>
  /**
   * Runs the password check `run` (undefined = wrong) for the credentials `key` from `address`. Resolves
   * with its result: at once for a success, in the address's turn and after its delay for a failure.
   * Rejects with `LOGIN_THROTTLED` (run not called) when the penalised address already has `maxPending`
   * distinct checks pending, unless `remembered` (these exact credentials verified recently, so checking
   * them tells a guesser nothing new).
   */
  check<T>(address: string, key: string, run: () => Promise<T | undefined>, options?: { remembered?: boolean }): Promise<T | undefined>
  /** The delay a failure from `address` would get now, without recording one. */
  peek(address: string): number
  /** Distinct password checks pending from `address`. */
  pending(address: string): number
  readonly size: number
}

interface Score {
  value: number
  at: number
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const base = options.baseDelayMs ?? 100
  const max = options.maxDelayMs ?? 4000
  const halfLife = options.halfLifeMs ?? 60_000
  const maxAddresses = options.maxAddresses ?? 10_000
  const maxPending = options.maxPending ?? 16
  const now = options.now ?? Date.now
  if (!(base >= 0) || !(max >= base) || !(halfLife > 0) || !(maxAddresses >= 1) || !Number.isInteger(maxPending) || maxPending < 1) {
    throw new HttpFrontendError(
      'OPTIONS_INVALID',
      'throttle: need 0 <= baseDelayMs <= maxDelayMs, halfLifeMs > 0, maxAddresses >= 1, maxPending a whole number >= 1',
    )
  }
  const scores = new Map<string, Score>()
  // per address: the checks pending, by credentials key
  const checks = new Map<string, Map<string, Promise<unknown>>>()
  // per address: the end of the line of failures waiting to be answered
  const turns = new Map<string, Promise<void>>()

  function decayed(address: string, t: number): number {
    const score = scores.get(address)
    if (!score) return 0
    return score.value * Math.pow(0.5, (t - score.at) / halfLife)
  }

  const delayOf = (value: number): number => (value <= 0 ? 0 : Math.min(max, base * Math.pow(2, value - 1)))

  async function failure(address: string): Promise<void> {
    const t = now()
    const value = decayed(address, t) + 1
    scores.delete(address) // most recent at the end
    scores.set(address, { value, at: t })
    if (scores.size > maxAddresses) scores.delete(scores.keys().next().value as string)
    const delay = delayOf(value)
    if (delay > 0) await sleep(delay)
  }

  /** A failure answered in the address's turn: one at a time, each after its own delay. */
  async function failureInTurn(address: string): Promise<void> {
    const previous = turns.get(address) ?? Promise.resolve()
    let done!: () => void
    const mine = new Promise<void>((resolve) => (done = resolve))
    turns.set(address, mine)
    await previous
    try {
      await failure(address)
    } finally {
      done()
      if (turns.get(address) === mine) turns.delete(address)
    }
  }

  return {
    failure: (remote) => failure(addressKey(remote)),
    check(remote, key, run, opts) {
      const address = addressKey(remote)
      let mine = checks.get(address)
      const joined = mine?.get(key)
      if (joined) return joined as ReturnType<typeof run>
      if (mine && mine.size >= maxPending && !opts?.remembered && decayed(address, now()) >= 0.5) {
        const retryAfterSeconds = Math.max(1, Math.ceil(delayOf(decayed(address, now()) + 1) / 1000))
        return Promise.reject(
          new HttpFrontendError('LOGIN_THROTTLED', `${mine.size} password checks from this address are pending; retry later`, { retryAfterSeconds }),
        )
      }
      if (!mine) checks.set(address, (mine = new Map()))
      const group = mine
      const pending = (async () => {
        try {
          const result = await run()
          if (result === undefined) await failureInTurn(address)
          return result
        } finally {
          group.delete(key)
          if (group.size === 0 && checks.get(address) === group) checks.delete(address)
        }
      })()
      group.set(key, pending)
      return pending
    },
    peek(remote) {
      const address = addressKey(remote)
      return delayOf(decayed(address, now()) + 1)
    },
    pending(remote) {
      return checks.get(addressKey(remote))?.size ?? 0
    },
    get size() {
      return scores.size
    },
  }
}

/** IPv4 as it is; IPv6 reduced to its /64 prefix. */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address
  const [head = '', tail] = address.split('::')
  const left = head ? head.split(':') : []
  const right = tail === undefined ? [] : tail ? tail.split(':') : []
  // an embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups
  const groups = right.flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]))
  const full = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - groups.length).fill('0'), ...groups]
  return full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':') + '::/64'
}
