import { timingSafeEqual } from 'node:crypto'
import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { files, type KeyRecord } from './model.js'
import { ANON, parseName } from './names.js'
import { parseSshPublicKey, sshFingerprint } from './sshkey.js'
import { requireLoginUser } from './users.js'
import type { Actor, Identity, SshKeyInfo } from './types.js'

/** Key ids are the first 16 hex digits of the blob's sha256: stable, and derived from the key itself. */
function keyId(fingerprint: string): string {
  return Buffer.from(fingerprint.slice('SHA256:'.length), 'base64').toString('hex').slice(0, 16)
}

function info(record: KeyRecord): SshKeyInfo {
  return { id: record.id, user: record.user, publicKey: record.publicKey, fingerprint: record.fingerprint }
}

/** A key belongs to at most one user, so a public-key login names exactly one identity. */
export async function addKey(ctx: Context, userInput: string, publicKey: string, actor: Actor): Promise<SshKeyInfo> {
  const by = checkActor(actor)
  const key = parseSshPublicKey(publicKey)
  return ctx.mutate(async () => {
    const user = requireLoginUser(ctx, userInput).name
    const id = keyId(key.fingerprint)
    const existing = ctx.model.keys.get(id)
    if (existing) throw new AuthError('KEY_EXISTS', `key ${key.fingerprint} is already registered to '${existing.user}'`)
    const record: KeyRecord = { id, user, publicKey: key.line, fingerprint: key.fingerprint, createdAt: ctx.isoNow() }
    await ctx.commit([{ path: files.key(id), value: record }], by, `add ssh key ${key.fingerprint} for ${user}`)
    return info(record)
  })
}

export function listKeys(ctx: Context, userInput?: string): SshKeyInfo[] {
  const user = userInput === undefined ? undefined : parseName(userInput)
  return [...ctx.model.keys.values()]
    .filter((k) => user === undefined || k.user === user)
    .sort((a, b) => (a.user === b.user ? (a.id < b.id ? -1 : 1) : a.user < b.user ? -1 : 1))
    .map(info)
}

export async function deleteKey(ctx: Context, userInput: string, idOrFingerprint: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const user = parseName(userInput)
  return ctx.mutate(async () => {
    const record = [...ctx.model.keys.values()].find(
      (k) => k.user === user && (k.id === idOrFingerprint || k.fingerprint === idOrFingerprint),
    )
    if (!record) throw new AuthError('KEY_UNKNOWN', `user '${user}' has no key '${String(idOrFingerprint).slice(0, 80)}'`)
    await ctx.commit([{ path: files.key(record.id) }], by, `delete ssh key ${record.fingerprint} of ${user}`)
  })
}

/**
 * For SSH public-key login: does `user` own this key? `algo` is the key type (`ssh-ed25519`), `blob`
 * the key in SSH wire format (what an SSH server library hands over). The caller still verifies the
 * signature over the session.
 */
export function verifyPublicKey(ctx: Context, userInput: string, algo: string, blob: Uint8Array): Identity | undefined {
  const user = typeof userInput === 'string' ? userInput.toLowerCase() : ''
  if (user === ANON || !ctx.model.users.has(user)) return undefined
  const record = ctx.model.keys.get(keyId(sshFingerprint(Buffer.from(blob))))
  if (!record || record.user !== user) return undefined
  const stored = parseSshPublicKey(record.publicKey)
  const given = Buffer.from(blob)
  const same = stored.type === algo && stored.blob.length === given.length && timingSafeEqual(stored.blob, given)
  return same ? { user, via: 'publickey' } : undefined
}
