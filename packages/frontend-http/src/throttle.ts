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
  /** Password checks that may queue per penalised address; more are refused unchecked (default 16). */
  maxQueue?: number
  now?: () => number
}

/**
 * Slows failed logins per remote address (IPv6 per /64, the block one host usually holds): each failure raises the address's score by one (the score
 * decays with a half-life), and the refusal is answered only after `base * 2^(score-1)` ms, capped.
 * Successful logins are never delayed by a penalty.
 *
 * While an address is penalised (score >= 0.5: a failure within the last half-life), its password checks also run one at a time, each holding
 * the turn until its answer (and penalty) is out, so that parallel guessing is no faster than serial.
 */
export interface LoginThrottle {
  /** Records a failure from `address` and resolves when its answer may be sent. */
  failure(address: string): Promise<void>
  /**
   * Waits for the address's turn to check a password. Resolves to a release function (call it once the
   * answer is decided), or undefined when too many checks already queue for this address.
   */
  admit(address: string): Promise<(() => void) | undefined>
  /** The delay a failure from `address` would get now, without recording one. */
  peek(address: string): number
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
  const maxQueue = options.maxQueue ?? 16
  const now = options.now ?? Date.now
  if (!(base >= 0) || !(max >= base) || !(halfLife > 0) || !(maxAddresses >= 1)) {
    throw new HttpFrontendError('OPTIONS_INVALID', 'throttle: need 0 <= baseDelayMs <= maxDelayMs, halfLifeMs > 0, maxAddresses >= 1')
  }
  const scores = new Map<string, Score>()
  // per penalised address: the end of the queue of password checks, and how many are in it
  const gates = new Map<string, { tail: Promise<void>; queued: number }>()

  function decayed(address: string, t: number): number {
    const score = scores.get(address)
    if (!score) return 0
    return score.value * Math.pow(0.5, (t - score.at) / halfLife)
  }

  const delayOf = (value: number): number => (value <= 0 ? 0 : Math.min(max, base * Math.pow(2, value - 1)))

  return {
    async failure(remote) {
      const address = addressKey(remote)
      const t = now()
      const value = decayed(address, t) + 1
      scores.delete(address) // most recent at the end
      scores.set(address, { value, at: t })
      if (scores.size > maxAddresses) scores.delete(scores.keys().next().value as string)
      const delay = delayOf(value)
      if (delay > 0) await sleep(delay)
    },
    async admit(remote) {
      const address = addressKey(remote)
      let gate = gates.get(address)
      if (!gate) {
        if (decayed(address, now()) < 0.5) return noop
        gates.set(address, (gate = { tail: Promise.resolve(), queued: 0 }))
      }
      if (gate.queued >= maxQueue) return undefined
      const current = gate
      current.queued++
      const previous = current.tail
      let release!: () => void
      current.tail = new Promise<void>((resolve) => (release = resolve))
      await previous
      let released = false
      return () => {
        if (released) return
        released = true
        release()
        if (--current.queued === 0 && gates.get(address) === current) gates.delete(address)
      }
    },
    peek(remote) {
      const address = addressKey(remote)
      return delayOf(decayed(address, now()) + 1)
    },
    get size() {
      return scores.size
    },
  }
}

const noop = (): void => undefined

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
