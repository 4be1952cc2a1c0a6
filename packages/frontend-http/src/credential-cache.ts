import { createHmac, randomBytes } from 'node:crypto'
import type { Auth, Identity } from '@everlock/auth-grants'
import { HttpFrontendError } from './errors.js'

export interface CredentialCacheOptions {
  /** Only `verifyPassword` and `onChange` are used. */
  auth: Pick<Auth, 'verifyPassword' | 'onChange'>
  /** How long a successful check is reused (default 60 s). */
  ttlMs?: number
  /**
   * How long credentials that verified stay known as good (default 1 h, at least `ttlMs`): past `ttlMs` they
   * are checked again, but the login throttle never refuses them for their address's excess.
   */
  rememberMs?: number
  /** Most entries kept; the least recently used go first (default 10 000). */
  maxEntries?: number
  /**
   * Most distinct password checks (KDF runs) waiting or running at once, server-wide; a further one is refused
   * with `LOGIN_OVERLOADED` (503 + Retry-After) instead of queueing without bound (default 32).
   */
  maxChecks?: number
  /** Clock, for tests. */
  now?: () => number
}

/**
 * Successful password checks, reused for a short time so that clients sending Basic on every request
 * do not cost a KDF run each. Keyed by HMAC-SHA256 under a random per-process key: the raw password is
 * never kept. Entries of a user are dropped when auth reports its password changed, it was deleted or
 * one of its tokens was revoked.
 */
export interface CredentialCache {
  /**
   * Like `auth.verifyPassword`, but a recent success is answered from memory and concurrent checks of the
   * same credentials share one KDF run. Rejects with `LOGIN_OVERLOADED` when `maxChecks` other runs are going.
   */
  verifyPassword(user: string, password: string): Promise<Identity | undefined>
  /** Would `verifyPassword` answer from memory (a live entry)? Does not count as a hit. */
  has(user: string, password: string): boolean
  /** Did these exact credentials verify within `rememberMs`, with no change to the user since? */
  remembers(user: string, password: string): boolean
  /** An opaque key of these credentials: equal for equal credentials until a change drops entries. */
  keyOf(user: string, password: string): string
  /** Forget everything (e.g. after restoring users from a backup). */
  clear(): void
  /** Stop listening to auth changes; the cache keeps answering from auth afterwards, uncached. */
  close(): void
  readonly size: number
  readonly stats: { readonly hits: number; readonly misses: number }
}

interface Entry {
  readonly identity: Identity
  /** Answered from memory until then. */
  readonly expires: number
  /** Known as good until then. */
  readonly remembered: number
}

export function createCredentialCache(options: CredentialCacheOptions): CredentialCache {
  const { auth } = options
  const ttlMs = options.ttlMs ?? 60_000
  const rememberMs = Math.max(ttlMs, options.rememberMs ?? 3_600_000)
  const maxEntries = options.maxEntries ?? 10_000
  const maxChecks = options.maxChecks ?? 32
  const now = options.now ?? Date.now
  if (!(ttlMs >= 0) || !(rememberMs >= 0) || !Number.isInteger(maxEntries) || maxEntries < 0 || !Number.isInteger(maxChecks) || maxChecks < 1) {
    throw new HttpFrontendError(
      'OPTIONS_INVALID',
      'credential cache: ttlMs and rememberMs must be >= 0, maxEntries a non-negative integer, maxChecks a whole number >= 1',
    )
  }
  const hmacKey = randomBytes(32)
  const entries = new Map<string, Entry>()
  const byUser = new Map<string, Set<string>>()
  const inflight = new Map<string, Promise<Identity | undefined>>()
  const stats = { hits: 0, misses: 0 }
  let epoch = 0
  let closed = false

  const hmacOf = (user: string, password: string): string =>
    createHmac('sha256', hmacKey).update(`${user.length}:${user}:`).update(password).digest('base64url')

  function remove(key: string): void {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    const keys = byUser.get(entry.identity.user)
    keys?.delete(key)
    if (keys && keys.size === 0) byUser.delete(entry.identity.user)
  }

  function store(key: string, identity: Identity): void {
    if (closed || maxEntries === 0 || rememberMs === 0) return
    remove(key)
    const t = now()
    entries.set(key, { identity, expires: t + ttlMs, remembered: t + rememberMs })
    let keys = byUser.get(identity.user)
    if (!keys) byUser.set(identity.user, (keys = new Set()))
    keys.add(key)
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string
      remove(oldest)
    }
  }

  /** The live entry for `key`, dropping it once it is no longer remembered. */
  function live(key: string): Entry | undefined {
    const entry = entries.get(key)
    if (entry && entry.remembered <= now()) {
      remove(key)
      return undefined
    }
    return entry
  }

  function dropUser(user: string): void {
    epoch++
    for (const key of [...(byUser.get(user) ?? [])]) remove(key)
  }

  function clear(): void {
    epoch++
    entries.clear()
    byUser.clear()
  }

  const unsubscribe = auth.onChange((event) => {
    if (event.type === 'grants-changed') return
    dropUser(event.user)
  })

  async function verifyUncached(key: string, flightKey: string, user: string, password: string): Promise<Identity | undefined> {
    const startedAt = epoch
    try {
      const identity = await auth.verifyPassword(user, password)
      // A password change while the check ran must not let the old password into the cache.
      if (identity && epoch === startedAt) store(key, identity)
      return identity
    } finally {
      inflight.delete(flightKey)
    }
  }

  return {
    async verifyPassword(user, password) {
      const key = hmacOf(user, password)
      const entry = live(key)
      if (entry && entry.expires > now()) {
        stats.hits++
        entries.delete(key) // move to the most recently used end
        entries.set(key, entry)
        return entry.identity
      }
      // Concurrent requests with the same credentials share one KDF run (never across a change).
      const flightKey = `${epoch}:${key}`
      let pending = inflight.get(flightKey)
      if (!pending) {
        if (inflight.size >= maxChecks) {
          throw new HttpFrontendError('LOGIN_OVERLOADED', `${inflight.size} password checks are running; retry later`, { retryAfterSeconds: 1 })
        }
        pending = verifyUncached(key, flightKey, user, password)
        inflight.set(flightKey, pending)
      }
      stats.misses++
      return pending
    },
    has(user, password) {
      const entry = live(hmacOf(user, password))
      return entry !== undefined && entry.expires > now()
    },
    remembers(user, password) {
      return live(hmacOf(user, password)) !== undefined
    },
    keyOf(user, password) {
      return `${epoch}:${hmacOf(user, password)}`
    },
    clear,
    close() {
      if (closed) return
      closed = true
      unsubscribe()
      clear()
    },
    get size() {
      return entries.size
    },
    get stats() {
      return { ...stats }
    },
  }
}
