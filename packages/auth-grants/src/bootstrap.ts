import type { Context } from './context.js'
import { AuthError } from './errors.js'
import { checkPassword, hashPassword } from './kdf.js'
import { files, type GrantRecord } from './model.js'
import { ANON, parseName } from './names.js'
import { userRecord } from './users.js'

export const SYSTEM_AUTHOR = 'system'
export const EVERYTHING = '*/*/*'

/** First start: the admin user with Owner on `*\/*\/*`, one commit by `system`. An existing user is left alone. */
export async function bootstrapAdmin(ctx: Context, input: string, password: string): Promise<{ created: boolean }> {
  const name = parseName(input)
  if (name === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' cannot be the admin`)
  checkPassword(password)
  return ctx.mutate(async () => {
    if (ctx.model.users.has(name)) return { created: false }
    const user = userRecord(ctx, name, await hashPassword(password, ctx.kdf))
    const subject = `user:${name}`
    const grants: GrantRecord = { subject, grants: { ...ctx.model.grants.get(subject)?.grants, [EVERYTHING]: 'owner' } }
    await ctx.persist.commit(
      [
        { path: files.user(name), value: user },
        { path: files.grants(subject), value: grants },
      ],
      SYSTEM_AUTHOR,
      `bootstrap admin ${name} with owner on ${EVERYTHING}`,
    )
    ctx.emit({ type: 'grants-changed' })
    return { created: true }
  })
}
