import { AdminError } from '../errors.js'
import { columns, printable } from '../format.js'
import type { Command } from '../table.js'
import { keyValues } from '../tokenize.js'
import { knownUser, selfOrAdmin } from './common.js'

const DAY_MS = 86_400_000

/** `30d` (days from now) or an ISO-8601 date/time. */
function expiry(text: string): Date {
  const days = /^(\d{1,5})d$/.exec(text)
  const date = days ? new Date(Date.now() + Number(days[1]) * DAY_MS) : new Date(text)
  if (Number.isNaN(date.getTime())) throw new AdminError('ARGUMENT_INVALID', `expires must be <days>d or an ISO date, not '${text}'`)
  return date
}

export const tokenCommands: Command[] = [
  {
    words: ['tokens', 'create'], args: '<user> [label=<text>] [expires=<days>d|<iso-date>]',
    summary: 'create an API token; the secret is shown once', min: 1, max: 3,
    async run(ctx, [user, ...rest]) {
      await knownUser(ctx, user!)
      const opts: { label?: string; expiresAt?: Date } = {}
      for (const [key, value] of keyValues(rest, ['label', 'expires'])) {
        if (key === 'label') opts.label = value
        else opts.expiresAt = expiry(value)
      }
      const { info, secret } = await ctx.deps.auth.createToken(user!, opts, ctx.actor)
      return [
        `token ${info.id} created for '${info.user}'${info.expiresAt ? `, expires ${info.expiresAt}` : ''}`,
        `secret: ${secret}`,
        'this secret is shown only once; store it now',
      ]
    },
  },
  {
    words: ['tokens', 'list'], args: '[<user>]', summary: 'list API tokens (your own unless you are an admin)', open: true, min: 0, max: 1,
    async run(ctx, [user]) {
      const who = await selfOrAdmin(ctx, user)
      if (who !== undefined) await knownUser(ctx, who)
      const tokens = await ctx.deps.auth.listTokens(who)
      if (tokens.length === 0) return 'no tokens'
      const rows = tokens.map((t) => [t.id, t.user, printable(t.label) || '-', t.createdAt, t.expiresAt ?? 'never'])
      return columns([['ID', 'USER', 'LABEL', 'CREATED', 'EXPIRES'], ...rows])
    },
  },
  {
    words: ['tokens', 'revoke'], args: '<id>', summary: 'revoke an API token', min: 1, max: 1,
    async run(ctx, [id]) {
      await ctx.deps.auth.revokeToken(id!, ctx.actor)
      return `token ${id} revoked`
    },
  },
]
