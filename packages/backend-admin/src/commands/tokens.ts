import type { TokenInfo } from '@everlock/auth-grants'
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

/** `label=<text>` and `expires=<days>d|<iso-date>` words. */
export function tokenOptions(words: readonly string[]): { label?: string; expiresAt?: Date } {
  const opts: { label?: string; expiresAt?: Date } = {}
  for (const [key, value] of keyValues(words, ['label', 'expires'])) {
    if (key === 'label') opts.label = value
    else opts.expiresAt = expiry(value)
  }
  return opts
}

/** What a new token's creator is told (the secret, once). */
export function created(info: TokenInfo, secret: string): string[] {
  return [
    `token ${info.id} created for '${info.user}'${info.expiresAt ? `, expires ${info.expiresAt}` : ''}`,
    `secret: ${secret}`,
    'this secret is shown only once; store it now',
  ]
}

export function tokenTable(tokens: readonly TokenInfo[]): string | string[] {
  if (tokens.length === 0) return 'no tokens'
  const rows = tokens.map((t) => [t.id, t.user, printable(t.label) || '-', t.createdAt, t.expiresAt ?? 'never'])
  return columns([['ID', 'USER', 'LABEL', 'CREATED', 'EXPIRES'], ...rows])
}

export const tokenCommands: Command[] = [
  {
    words: ['tokens', 'create'], args: '<user> [label=<text>] [expires=<days>d|<iso-date>]',
    summary: 'create an API token; the secret is shown once', min: 1, max: 3,
    async run(ctx, [user, ...rest]) {
      await knownUser(ctx, user!)
      const { info, secret } = await ctx.deps.auth.createToken(user!, tokenOptions(rest), ctx.actor)
      return created(info, secret)
    },
  },
  {
    words: ['tokens', 'list'], args: '[<user>]', summary: 'list API tokens (your own unless you are an admin)', open: true, min: 0, max: 1,
    async run(ctx, [user]) {
      const who = await selfOrAdmin(ctx, user)
      if (who !== undefined) await knownUser(ctx, who)
      return tokenTable(await ctx.deps.auth.listTokens(who))
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
