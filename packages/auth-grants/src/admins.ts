import { AuthError } from './errors.js'
import { Model, type FileChange } from './model.js'
import { ANON } from './names.js'

/** The access path whose Owner makes a user an administrator. */
export const EVERYTHING = '*/*/*'

/**
 * Users who hold Owner on `*\/*\/*`: by their own grant, a group's, or anon's (which every user shares).
 * Only a grant on exactly `*\/*\/*` covers that path, so no path matching is needed.
 */
export function adminsOf(model: Model): string[] {
  const owns = (subject: string): boolean => model.grants.get(subject)?.grants[EVERYTHING] === 'owner'
  if (owns(`user:${ANON}`)) return [...model.users.keys()]
  return [...model.users.keys()].filter((user) => owns(`user:${user}`) || model.groupsOf(user).some((g) => owns(`group:${g}`)))
}

/**
 * Refuse a change that would leave no administrator when there is one now (revoking or lowering the last
 * Owner on `*\/*\/*`, deleting that user, removing them from the group that gives it, deleting that group).
 * Without this the console can lock everyone out; the rescue is `everlock serve --admin-user`.
 */
export function keepAnAdmin(model: Model, changes: readonly FileChange[]): void {
  const before = adminsOf(model)
  if (before.length === 0) return
  const after = model.copy()
  for (const change of changes) after.apply(change)
  if (adminsOf(after).length > 0) return
  throw new AuthError(
    'LAST_ADMIN',
    `refused: this would leave no user with owner on ${EVERYTHING} (${before.join(', ')} ${before.length === 1 ? 'is' : 'are'} the last); grant owner on ${EVERYTHING} to another user first`,
  )
}
