import { ANON } from '@everlock/auth-grants'
import { AdminError } from '../errors.js'
import type { Command } from '../table.js'
import { stored } from './common.js'
import { created, tokenOptions, tokenTable } from './tokens.js'
import { grantTable } from './users.js'

/** Self-service: every signed-in user manages their own password and API tokens and sees their own grants. */
export const meCommands: Command[] = [
  {
    words: ['me', 'passwd'], args: '<current-password> <new-password>', summary: 'change your own password', open: true, min: 2, max: 2,
    async run(ctx, [current, next]) {
      await ctx.deps.auth.changePassword(ctx.user, current!, next!, ctx.actor)
      return 'your password was changed'
    },
  },
  {
    words: ['me', 'grants'], args: '', summary: 'your grants: your own, your groups\' and those everyone has', open: true, min: 0, max: 0,
    async run(ctx) {
      const me = stored(ctx.user)
      const groups = (await ctx.deps.auth.listUsers()).find((u) => u.name === me)?.groups ?? []
      const subjects = [`user:${me}`, ...groups.map((g) => `group:${g}`), `user:${ANON}`]
      const grants = (await Promise.all(subjects.map((s) => ctx.deps.auth.listGrants(s)))).flat()
      return grants.length === 0 ? 'you have no grants' : grantTable(grants)
    },
  },
  {
    words: ['me', 'tokens', 'list'], args: '', summary: 'your API tokens', open: true, min: 0, max: 0,
    async run(ctx) {
      return tokenTable(await ctx.deps.auth.listTokens(ctx.user))
    },
  },
  {
    words: ['me', 'tokens', 'create'], args: '[label=<text>] [expires=<days>d|<iso-date>]',
    summary: 'create an API token for yourself; the secret is shown once', open: true, min: 0, max: 2,
    async run(ctx, rest) {
      const { info, secret } = await ctx.deps.auth.createToken(ctx.user, tokenOptions(rest), ctx.actor)
      return created(info, secret)
    },
  },
  {
    words: ['me', 'tokens', 'revoke'], args: '<id>', summary: 'revoke one of your API tokens', open: true, min: 1, max: 1,
    async run(ctx, [id]) {
      const mine = await ctx.deps.auth.listTokens(ctx.user)
      if (!mine.some((t) => t.id === id)) throw new AdminError('NOT_FOUND', `you have no token '${id}'`)
      await ctx.deps.auth.revokeToken(id!, ctx.actor)
      return `token ${id} revoked`
    },
  },
]
