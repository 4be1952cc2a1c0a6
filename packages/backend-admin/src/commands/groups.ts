import { columns } from '../format.js'
import type { Command } from '../table.js'
import { knownUser, role, stored } from './common.js'

export const groupCommands: Command[] = [
  {
    words: ['groups', 'list'], args: '', summary: 'list groups and their members (only your own unless you are an admin)', open: true, min: 0, max: 0,
    async run(ctx) {
      const all = await ctx.deps.auth.listGroups()
      const groups = (await ctx.isAdmin()) ? all : all.filter((g) => g.members.includes(stored(ctx.user)))
      if (groups.length === 0) return 'no groups'
      return columns([['GROUP', 'MEMBERS'], ...groups.map((g) => [g.name, g.members.join(',') || '-'])])
    },
  },
  {
    words: ['groups', 'add'], args: '<group>', summary: 'create a group', min: 1, max: 1,
    async run(ctx, [group]) {
      await ctx.deps.auth.addGroup(group!, ctx.actor)
      return `group '${stored(group!, 'group')}' added`
    },
  },
  {
    words: ['groups', 'delete'], args: '<group>', summary: 'delete a group and its grants', min: 1, max: 1,
    async run(ctx, [group]) {
      await ctx.deps.auth.deleteGroup(group!, ctx.actor)
      return `group '${stored(group!, 'group')}' deleted`
    },
  },
  {
    words: ['groups', 'assign'], args: '<user> <group>', summary: 'make a user a member of a group', min: 2, max: 2,
    async run(ctx, [user, group]) {
      await knownUser(ctx, user!)
      await ctx.deps.auth.assign(user!, group!, ctx.actor)
      return `'${stored(user!)}' is now in group '${stored(group!, 'group')}'`
    },
  },
  {
    words: ['groups', 'unassign'], args: '<user> <group>', summary: 'remove a user from a group', min: 2, max: 2,
    async run(ctx, [user, group]) {
      await knownUser(ctx, user!)
      await ctx.deps.auth.unassign(user!, group!, ctx.actor)
      return `'${stored(user!)}' left group '${stored(group!, 'group')}'`
    },
  },
  {
    words: ['groups', 'grant'], args: '<group> <path> <role>', summary: 'grant a role on an access path to every member', min: 3, max: 3,
    async run(ctx, [group, path, r]) {
      const checked = role(r!)
      await ctx.deps.auth.grant(`group:${group}`, path!, checked, ctx.actor)
      return `granted ${checked} on ${path} to group '${stored(group!, 'group')}'`
    },
  },
  {
    words: ['groups', 'revoke'], args: '<group> <path>', summary: "remove a group's grant on an access path", min: 2, max: 2,
    async run(ctx, [group, path]) {
      await ctx.deps.auth.revoke(`group:${group}`, path!, ctx.actor)
      return `revoked grant on ${path} from group '${stored(group!, 'group')}'`
    },
  },
]
