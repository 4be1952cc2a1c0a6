import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { checkPassword, checkPasswordHash, hashPassword } from './kdf.js'
import { files, type FileChange, type UserRecord } from './model.js'
import { ANON, parseName } from './names.js'
import type { Actor, Identity, UserInfo } from './types.js'

const ANON_CREATED = new Date(0).toISOString()

export function requireUser(ctx: Context, name: string): UserRecord {
  const user = ctx.model.users.get(name)
  if (!user) throw new AuthError('USER_UNKNOWN', `unknown user '${name}'`)
  return user
}

/** A name that may hold credentials: valid, not `anon`, existing. */
export function requireLoginUser(ctx: Context, input: string): UserRecord {
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' is built in and has no credentials`)
  return requireUser(ctx, name)
}

export function userRecord(ctx: Context, name: string, password: Awaited<ReturnType<typeof hashPassword>>): UserRecord {
  return { name, createdAt: ctx.isoNow(), password }
}

export async function addUser(ctx: Context, input: string, password: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' is built in`)
  checkPassword(password)
  return ctx.mutate(async () => {
    if (ctx.model.users.has(name)) throw new AuthError('USER_EXISTS', `user '${name}' already exists`)
    const record = userRecord(ctx, name, await hashPassword(password, ctx.kdf))
    await ctx.commit([{ path: files.user(name), value: record }], by, `add user ${name}`)
  })
}

/**
 * Set a password. With `current` (self-service) the user proves the present password first (one full KDF,
 * constant-time); a wrong one is PASSWORD_WRONG and changes nothing.
 */
export async function setPassword(ctx: Context, input: string, password: string, actor: Actor, current?: string): Promise<void> {
  const by = checkActor(actor)
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' cannot have a password`)
  checkPassword(password)
  return ctx.mutate(async () => {
    const user = requireUser(ctx, name)
    if (current !== undefined) {
      const ok = typeof current === 'string' && current.length > 0 && (await checkPasswordHash(current, user.password))
      if (!ok) throw new AuthError('PASSWORD_WRONG', 'the current password is not correct; nothing changed')
    }
    const record = { ...user, password: await hashPassword(password, ctx.kdf) }
    const message = current === undefined ? `set password of ${name}` : `change own password of ${name}`
    await ctx.commit([{ path: files.user(name), value: record }], by, message)
    ctx.emit({ type: 'password-changed', user: name })
  })
}

/** Deletes the user and everything that hangs off it (grants, keys, tokens, memberships) in one commit. */
export async function deleteUser(ctx: Context, input: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' is built in and cannot be deleted`)
  return ctx.mutate(async () => {
    requireUser(ctx, name)
    const { model } = ctx
    const changes: FileChange[] = [{ path: files.user(name) }]
    if (model.grants.has(`user:${name}`)) changes.push({ path: files.grants(`user:${name}`) })
    for (const key of model.keys.values()) if (key.user === name) changes.push({ path: files.key(key.id) })
    for (const token of model.tokens.values()) if (token.user === name) changes.push({ path: files.token(token.id) })
    for (const group of model.groups.values()) {
      if (group.members.includes(name)) {
        changes.push({ path: files.group(group.name), value: { ...group, members: group.members.filter((m) => m !== name) } })
      }
    }
    await ctx.commit(changes, by, `delete user ${name}`)
    ctx.emit({ type: 'user-deleted', user: name })
    ctx.emit({ type: 'grants-changed' })
  })
}

export function listUsers(ctx: Context): UserInfo[] {
  const users: UserInfo[] = [{ name: ANON, builtin: true, createdAt: ANON_CREATED, groups: [] }]
  for (const user of ctx.model.users.values()) {
    users.push({ name: user.name, builtin: false, createdAt: user.createdAt, groups: ctx.model.groupsOf(user.name) })
  }
  return users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function hasUser(ctx: Context, input: string): boolean {
  const name = typeof input === 'string' ? input.toLowerCase() : ''
  return name === ANON || ctx.model.users.has(name)
}

/**
 * Always runs one full KDF: against the user's record, or against a dummy record for unknown names,
 * `anon` and malformed input, so the time taken does not tell whether a user exists.
 */
export async function verifyPassword(ctx: Context, input: string, password: string): Promise<Identity | undefined> {
  const name = typeof input === 'string' ? input.toLowerCase() : ''
  const user = name === ANON ? undefined : ctx.model.users.get(name)
  const candidate = typeof password === 'string' ? password : ''
  const ok = await checkPasswordHash(candidate, user?.password ?? ctx.dummy)
  const acceptable = candidate.length > 0 && Buffer.byteLength(candidate, 'utf8') <= 1024
  return ok && user && acceptable ? { user: user.name, via: 'password' } : undefined
}
