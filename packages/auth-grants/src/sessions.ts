import type { Context } from './context.js'
import { AuthError } from './errors.js'
import { hashSecret, newCredential, parseCredential, secretMatches } from './tokens.js'
import { requireLoginUser } from './users.js'
import type { Identity } from './types.js'

/**
 * Login sessions churn, so they live in the store's side state, not in commits:
 * `auth/sessions/<id>` → SessionRecord (sha256 of the secret only).
 */
interface SessionRecord {
  readonly user: string
  /** The user's createdAt: a session never outlives its user, even if the name is reused. */
  readonly userCreatedAt: string
  readonly hash: string
  readonly createdAt: string
  readonly expiresAt: string
}

const PREFIX = 'auth/sessions/'
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000
const MAX_TTL_MS = 366 * 24 * 60 * 60 * 1000

export async function createSession(
  ctx: Context,
  userInput: string,
  ttlMs: number,
): Promise<{ id: string; secret: string; expiresAt: string }> {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new AuthError('EXPIRY_INVALID', 'session lifetime must be positive and at most a year')
  }
  await ctx.fresh()
  const user = requireLoginUser(ctx, userInput)
  const cred = newCredential('evs')
  const now = ctx.now()
  const record: SessionRecord = {
    user: user.name,
    userCreatedAt: user.createdAt,
    hash: hashSecret(cred.secret),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
  }
  await ctx.persist.store.state.put(PREFIX + cred.id, JSON.stringify(record))
  return { id: cred.id, secret: cred.text, expiresAt: record.expiresAt }
}

async function find(ctx: Context, text: string): Promise<{ id: string; record: SessionRecord } | undefined> {
  const cred = parseCredential('evs', text)
  if (!cred) return undefined
  const raw = await ctx.persist.store.state.get(PREFIX + cred.id)
  if (raw === undefined) return undefined
  const record = JSON.parse(raw) as SessionRecord
  return secretMatches(cred.secret, record.hash) ? { id: cred.id, record } : undefined
}

/** Unknown, garbled, expired, or the user is gone → undefined (an expired session is removed). */
export async function verifySession(ctx: Context, text: string): Promise<Identity | undefined> {
  const found = await find(ctx, text)
  if (!found) return undefined
  const { id, record } = found
  if (Date.parse(record.expiresAt) <= ctx.now()) {
    await ctx.persist.store.state.del(PREFIX + id)
    return undefined
  }
  await ctx.fresh()
  const user = ctx.model.users.get(record.user)
  if (!user || user.createdAt !== record.userCreatedAt) return undefined
  return { user: user.name, via: 'session' }
}

/** Idempotent; only the holder of the secret can end a session. */
export async function endSession(ctx: Context, text: string): Promise<void> {
  const found = await find(ctx, text)
  if (found) await ctx.persist.store.state.del(PREFIX + found.id)
}

/** End every session of `user` (password changed, user deleted) and any expired ones on the way. */
export async function endSessionsOf(ctx: Context, user: string | undefined): Promise<number> {
  const drop: Array<{ key: string }> = []
  const now = ctx.now()
  for await (const [key, raw] of ctx.persist.store.state.entries(PREFIX)) {
    const record = JSON.parse(raw) as SessionRecord
    if (record.user === user || Date.parse(record.expiresAt) <= now) drop.push({ key })
  }
  if (drop.length > 0) await ctx.persist.store.state.batch(drop)
  return drop.length
}
