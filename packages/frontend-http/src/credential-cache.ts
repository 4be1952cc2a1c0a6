import { createHmac, randomBytes } from 'node:crypto'
import type { Auth, Identity } from '@everlock/auth-grants'
import { HttpFrontendError } from './errors.js'

export interface CredentialCacheOptions {
  /** Only `verifyPassword` and `onChange` are used. */
  auth: Pick<Auth, 'verifyPassword' | 'onChange'>
  /** How long a successful check is reused (default 60 s). */
  ttlMs?: number
  /** Most entries kept; the least recently used go first (default 10 000). */
  maxEntries?: number
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
  /** Like `auth.verifyPassword`, but a recent success is answered from memory. */
  verifyPassword(user: string, password: string): Promise<Identity | undefined>
  /** Would `verifyPassword` answer from memory (a live entry)? Does not count as a hit. */
  has(user: string, password: string): boolean
  /** Forget everything (e.g. after restoring users from a backup). */
  clear(): void
  /** Stop listening to auth changes; the cache keeps answering from auth afterwards, uncached. */
  close(): void
  readonly size: number
  readonly stats: { readonly hits: number; readonly misses: number }
}

interface Entry {
  readonly identity: Identity
  readonly expires: number
}

export function createCredentialCache(options: CredentialCacheOptions): CredentialCache {
  const { auth } = options
  const ttlMs = options.ttlMs ?? 60_000
  const maxEntries = options.maxEntries ?? 10_000
  const now = options.now ?? Date.now
  if (!(ttlMs >= 0) || !Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new HttpFrontendError('OPTIONS_INVALID', 'credential cache: ttlMs must be >= 0 and maxEntries a non-negative integer')
  }
  const hmacKey = randomBytes(32)
  const entries = new Map<string, Entry>()
  const byUser = new Map<string, Set<string>>()
  const inflight = new Map<string, Promise<Identity | undefined>>()
  const stats = { hits: 0, misses: 0 }
  let epoch = 0
  let closed = false

  const keyOf = (user: string, password: string): string =>
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
    if (closed || maxEntries === 0 || ttlMs === 0) return
    remove(key)
    entries.set(key, { identity, expires: now() + ttlMs })
    let keys = byUser.get(identity.user)
    if (!keys) byUser.set(identity.user, (keys = new Set()))
    keys.add(key)
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string
      remove(oldest)
    }
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
      const key = keyOf(user, password)
      const entry = entries.get(key)
      if (entry && entry.expires > now()) {
        stats.hits++
        entries.delete(key) // move to the most recently used end
        entries.set(key, entry)
        return entry.identity
      }
      if (entry) remove(key)
      stats.misses++
      // Concurrent requests with the same credentials share one KDF run (never across a change).
      const flightKey = `${epoch}:${key}`
      let pending = inflight.get(flightKey)
      if (!pending) {
        pending = verifyUncached(key, flightKey, user, password)
        inflight.set(flightKey, pending)
      }
      return pending
    },
    has(user, password) {
      const entry = entries.get(keyOf(user, password))
      return entry !== undefined && entry.expires > now()
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
