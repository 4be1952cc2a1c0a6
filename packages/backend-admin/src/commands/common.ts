import { parseName } from '@everlock/auth-grants'
import { AdminError } from '../errors.js'
import type { CommandContext } from '../table.js'

const ROLES = ['reader', 'writer', 'owner'] as const
export type ConsoleRole = (typeof ROLES)[number]

export function role(text: string): ConsoleRole {
  const lower = text.toLowerCase()
  if (!(ROLES as readonly string[]).includes(lower)) throw new AdminError('ROLE_INVALID', 'role must be reader, writer or owner')
  return lower as ConsoleRole
}

/** Refuse unless the console user is an admin. */
export async function needAdmin(ctx: CommandContext): Promise<void> {
  if (!(await ctx.isAdmin())) throw new AdminError('PERMISSION_DENIED', 'permission denied: needs owner on */*/*')
}

/**
 * List commands that name a user: anyone may look at their own records, only an admin at someone else's.
 * Returns the user to list, or undefined for "everyone" (admins only).
 */
export async function selfOrAdmin(ctx: CommandContext, user: string | undefined): Promise<string | undefined> {
  if (user !== undefined && user.toLowerCase() === ctx.user.toLowerCase()) return ctx.user
  if (await ctx.isAdmin()) return user
  if (user !== undefined) throw new AdminError('PERMISSION_DENIED', 'permission denied: needs owner on */*/*')
  return ctx.user
}

export async function knownUser(ctx: CommandContext, user: string): Promise<void> {
  if (!(await ctx.deps.auth.hasUser(user))) throw new AdminError('NOT_FOUND', `unknown user '${user}'`)
}

/** A user or group name as auth-grants stores it (folded to lower case), for answers that name it. */
export function stored(name: string, what: 'user' | 'group' = 'user'): string {
  return parseName(name, what)
}
