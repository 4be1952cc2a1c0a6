import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { files, type TokenRecord } from './model.js'
import { parseName, safeText } from './names.js'
import { hashSecret, isCredentialId, newCredential, parseCredential, secretMatches } from './tokens.js'
import { requireLoginUser } from './users.js'
import type { Actor, Identity, TokenInfo } from './types.js'

const MAX_LABEL = 200

function info(record: TokenRecord): TokenInfo {
  const base = { id: record.id, user: record.user, label: record.label, createdAt: record.createdAt }
  return record.expiresAt ? { ...base, expiresAt: record.expiresAt } : base
}

export function checkExpiry(ctx: Context, expiresAt: Date | undefined): string | undefined {
  if (expiresAt === undefined) return undefined
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= ctx.now()) {
    throw new AuthError('EXPIRY_INVALID', 'expiry must be a valid time in the future')
  }
  return expiresAt.toISOString()
}

/** The secret (`evl_<id>_<secret>`) is returned once; only its sha256 is stored. */
export async function createToken(
  ctx: Context,
  userInput: string,
  opts: { label?: string; expiresAt?: Date },
  actor: Actor,
): Promise<{ info: TokenInfo; secret: string }> {
  const by = checkActor(actor)
  const label = [...safeText(opts?.label ?? '')].slice(0, MAX_LABEL).join('')
  const expiresAt = checkExpiry(ctx, opts?.expiresAt)
  return ctx.mutate(async () => {
    const user = requireLoginUser(ctx, userInput).name
    const cred = newCredential('evl')
    const record: TokenRecord = {
      id: cred.id,
      user,
      label,
      createdAt: ctx.isoNow(),
      ...(expiresAt ? { expiresAt } : {}),
      hash: hashSecret(cred.secret),
    }
    await ctx.commit([{ path: files.token(cred.id), value: record }], by, `create token ${cred.id} for ${user}`)
    return { info: info(record), secret: cred.text }
  })
}

export function listTokens(ctx: Context, userInput?: string): TokenInfo[] {
  const user = userInput === undefined ? undefined : parseName(userInput)
  return [...ctx.model.tokens.values()]
    .filter((t) => user === undefined || t.user === user)
    .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
    .map(info)
}

export async function revokeToken(ctx: Context, id: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  return ctx.mutate(async () => {
    const record = isCredentialId(id) ? ctx.model.tokens.get(id) : undefined
    if (!record) throw new AuthError('TOKEN_UNKNOWN', `unknown token '${String(id).slice(0, 40)}'`)
    await ctx.commit([{ path: files.token(id) }], by, `revoke token ${id} of ${record.user}`)
    ctx.emit({ type: 'token-revoked', user: record.user, tokenId: id })
  })
}

/** Garbled, unknown, revoked or expired → undefined. */
export function verifyToken(ctx: Context, text: string): Identity | undefined {
  const cred = parseCredential('evl', text)
  if (!cred) return undefined
  const record = ctx.model.tokens.get(cred.id)
  if (!record || !secretMatches(cred.secret, record.hash)) return undefined
  if (record.expiresAt && Date.parse(record.expiresAt) <= ctx.now()) return undefined
  if (!ctx.model.users.has(record.user)) return undefined
  return { user: record.user, via: 'token' }
}
