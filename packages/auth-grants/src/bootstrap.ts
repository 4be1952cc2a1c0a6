import { adminsOf, EVERYTHING } from './admins.js'
import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { checkPassword, checkPasswordHash, hashPassword } from './kdf.js'
import { files, type FileChange, type GrantRecord } from './model.js'
import { ANON, parseName } from './names.js'
import { userRecord } from './users.js'
import type { Actor, AdminRescue } from './types.js'

export const SYSTEM_AUTHOR = 'system'
export { EVERYTHING }

function ownerGrant(ctx: Context, name: string): FileChange {
  const subject = `user:${name}`
  const value: GrantRecord = { subject, grants: { ...ctx.model.grants.get(subject)?.grants, [EVERYTHING]: 'owner' } }
  return { path: files.grants(subject), value }
}

function adminName(input: string): string {
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' cannot be the admin`)
  return name
}

/** First start: the admin user with Owner on `*\/*\/*`, one commit by `system`. An existing user is left alone. */
export async function bootstrapAdmin(ctx: Context, input: string, password: string): Promise<{ created: boolean }> {
  const name = adminName(input)
  checkPassword(password)
  return ctx.mutate(async () => {
    if (ctx.model.users.has(name)) return { created: false }
    const user = userRecord(ctx, name, await hashPassword(password, ctx.kdf))
    await ctx.commit([{ path: files.user(name), value: user }, ownerGrant(ctx, name)], SYSTEM_AUTHOR, `bootstrap admin ${name} with owner on ${EVERYTHING}`)
    ctx.emit({ type: 'grants-changed' })
    return { created: true }
  })
}

/**
 * The operator's rescue (`everlock serve --admin-user <name> [--admin-password <pw>]`), one commit by `actor`:
 * - no such user: create it with `password` (required) and Owner on `*\/*\/*`;
 * - an existing user with `password`: set that password (unless it already is) and restore its Owner on `*\/*\/*`;
 * - an existing user without `password`: restore its Owner only when no user is an administrator any more.
 * Nothing changed → no commit. The password never appears in the commit or the result.
 */
export async function rescueAdmin(ctx: Context, input: string, password: string | undefined, actor: Actor): Promise<AdminRescue> {
  const by = checkActor(actor)
  const name = adminName(input)
  if (password !== undefined) checkPassword(password)
  return ctx.mutate(async () => {
    const existing = ctx.model.users.get(name)
    if (!existing) {
      if (password === undefined) throw new AuthError('PASSWORD_INVALID', `user '${name}' does not exist: a password is needed to create it`)
      const user = userRecord(ctx, name, await hashPassword(password, ctx.kdf))
      await ctx.commit([{ path: files.user(name), value: user }, ownerGrant(ctx, name)], by, `bootstrap admin ${name} with owner on ${EVERYTHING}`)
      ctx.emit({ type: 'grants-changed' })
      return { created: true, passwordChanged: false, ownerRestored: false }
    }
    const changes: FileChange[] = []
    const passwordChanged = password !== undefined && !(await checkPasswordHash(password, existing.password))
    if (passwordChanged) changes.push({ path: files.user(name), value: { ...existing, password: await hashPassword(password, ctx.kdf) } })
    const hasOwner = ctx.model.grants.get(`user:${name}`)?.grants[EVERYTHING] === 'owner'
    const ownerRestored = !hasOwner && (password !== undefined || adminsOf(ctx.model).length === 0)
    if (ownerRestored) changes.push(ownerGrant(ctx, name))
    if (changes.length === 0) return { created: false, passwordChanged: false, ownerRestored: false }
    const what = [passwordChanged && 'set its password', ownerRestored && `restore owner on ${EVERYTHING}`].filter(Boolean).join(' and ')
    await ctx.commit(changes, by, `rescue admin ${name}: ${what}`)
    if (passwordChanged) ctx.emit({ type: 'password-changed', user: name })
    if (ownerRestored) ctx.emit({ type: 'grants-changed' })
    return { created: false, passwordChanged, ownerRestored }
  })
}
