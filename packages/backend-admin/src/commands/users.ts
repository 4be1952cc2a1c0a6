import { AdminError } from '../errors.js'
import { columns, printable } from '../format.js'
import type { Command } from '../table.js'
import type { Grant } from '@everlock/auth-grants'
import { knownUser, role, selfOrAdmin, stored } from './common.js'

export function grantTable(grants: readonly Grant[]): string[] {
  return columns([['SUBJECT', 'PATH', 'ROLE'], ...grants.map((g) => [g.subject, g.path, g.role])])
}

export const userCommands: Command[] = [
  {
    words: ['users', 'list'], args: '', summary: 'list users and their groups (only yourself unless you are an admin)', open: true, min: 0, max: 0,
    async run(ctx) {
      const all = await ctx.deps.auth.listUsers()
      // who else has an account is an admin's business; everyone else sees their own row
      const users = (await ctx.isAdmin()) ? all : all.filter((u) => u.name === stored(ctx.user))
      const rows = users.map((u) => [u.name, u.builtin ? 'built-in' : u.createdAt, u.groups.join(',') || '-'])
      return columns([['USER', 'CREATED', 'GROUPS'], ...rows])
    },
  },
  {
    words: ['users', 'add'], args: '<name> <password>', summary: 'create a user', min: 2, max: 2,
    async run(ctx, [name, password]) {
      await ctx.deps.auth.addUser(name!, password!, ctx.actor)
      const as = stored(name!)
      return as === name ? `user '${as}' added` : `user '${as}' added (names are stored in lower case)`
    },
  },
  {
    words: ['users', 'passwd'], args: '<name> <password>', summary: "set a user's password", min: 2, max: 2,
    async run(ctx, [name, password]) {
      await ctx.deps.auth.setPassword(name!, password!, ctx.actor)
      return `password of '${stored(name!)}' changed`
    },
  },
  {
    words: ['users', 'delete'], args: '<name>', summary: 'delete a user, their keys, tokens and grants', min: 1, max: 1,
    async run(ctx, [name]) {
      if (name!.toLowerCase() === ctx.user.toLowerCase()) throw new AdminError('ARGUMENT_INVALID', 'you cannot delete yourself')
      await ctx.deps.auth.deleteUser(name!, ctx.actor)
      return `user '${stored(name!)}' deleted`
    },
  },
  {
    words: ['users', 'grant'], args: '<user> <path> <role>', summary: 'grant a role on an access path, e.g. http/oci/default writer', min: 3, max: 3,
    async run(ctx, [user, path, r]) {
      const checked = role(r!)
      await knownUser(ctx, user!)
      await ctx.deps.auth.grant(`user:${user}`, path!, checked, ctx.actor)
      return `granted ${checked} on ${path} to '${stored(user!)}'`
    },
  },
  {
    words: ['users', 'revoke'], args: '<user> <path>', summary: "remove a user's grant on an access path", min: 2, max: 2,
    async run(ctx, [user, path]) {
      await knownUser(ctx, user!)
      await ctx.deps.auth.revoke(`user:${user}`, path!, ctx.actor)
      return `revoked grant on ${path} from '${stored(user!)}'`
    },
  },
  {
    words: ['users', 'grants'], args: '[<user>]', summary: 'list grants (your own unless you are an admin)', open: true, min: 0, max: 1,
    async run(ctx, [user]) {
      const who = await selfOrAdmin(ctx, user)
      if (who !== undefined) await knownUser(ctx, who)
      const grants = await ctx.deps.auth.listGrants(who === undefined ? undefined : `user:${who}`)
      if (grants.length === 0) return who === undefined ? 'no grants' : `no grants for '${stored(who)}'`
      return grantTable(grants)
    },
  },
  {
    words: ['users', 'key', 'add'], args: '<user> <openssh-public-key>', summary: 'add an SSH public key for login', min: 2, max: Infinity,
    async run(ctx, [user, ...key]) {
      await knownUser(ctx, user!)
      const info = await ctx.deps.auth.addKey(user!, key.join(' '), ctx.actor)
      return `key ${info.id} ${info.fingerprint} added for '${user}'`
    },
  },
  {
    words: ['users', 'key', 'list'], args: '[<user>]', summary: 'list SSH public keys (your own unless you are an admin)', open: true, min: 0, max: 1,
    async run(ctx, [user]) {
      const who = await selfOrAdmin(ctx, user)
      if (who !== undefined) await knownUser(ctx, who)
      const keys = await ctx.deps.auth.listKeys(who)
      if (keys.length === 0) return 'no keys'
      const rows = keys.map((k) => [k.id, k.user, k.fingerprint, printable(k.publicKey.split(' ').slice(2).join(' '))])
      return columns([['ID', 'USER', 'FINGERPRINT', 'COMMENT'], ...rows])
    },
  },
  {
    words: ['users', 'key', 'delete'], args: '<user> <id-or-fingerprint>', summary: 'remove an SSH public key', min: 2, max: 2,
    async run(ctx, [user, id]) {
      await knownUser(ctx, user!)
      await ctx.deps.auth.deleteKey(user!, id!, ctx.actor)
      return `key ${id} of '${user}' deleted`
    },
  },
]
