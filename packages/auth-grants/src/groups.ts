import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { files, type FileChange, type GroupRecord } from './model.js'
import { ANON, parseName } from './names.js'
import { requireUser } from './users.js'
import type { Actor } from './types.js'

export function requireGroup(ctx: Context, name: string): GroupRecord {
  const group = ctx.model.groups.get(name)
  if (!group) throw new AuthError('GROUP_UNKNOWN', `unknown group '${name}'`)
  return group
}

export async function addGroup(ctx: Context, input: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const name = parseName(input, 'group')
  return ctx.mutate(async () => {
    if (ctx.model.groups.has(name)) throw new AuthError('GROUP_EXISTS', `group '${name}' already exists`)
    const record: GroupRecord = { name, createdAt: ctx.isoNow(), members: [] }
    await ctx.commit([{ path: files.group(name), value: record }], by, `add group ${name}`)
  })
}

/** Deletes the group and its grants in one commit; members keep their own grants. */
export async function deleteGroup(ctx: Context, input: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const name = parseName(input, 'group')
  return ctx.mutate(async () => {
    requireGroup(ctx, name)
    const changes: FileChange[] = [{ path: files.group(name) }]
    if (ctx.model.grants.has(`group:${name}`)) changes.push({ path: files.grants(`group:${name}`) })
    await ctx.commit(changes, by, `delete group ${name}`)
    ctx.emit({ type: 'grants-changed' })
  })
}

function membership(ctx: Context, userInput: string, groupInput: string): { user: string; group: string } {
  const user = parseName(userInput)
  const group = parseName(groupInput, 'group')
  if (user === ANON) throw new AuthError('USER_BUILTIN', `'${ANON}' cannot join groups; grant to it directly`)
  return { user, group }
}

/** Adding a member twice changes nothing. */
export async function assign(ctx: Context, userInput: string, groupInput: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const { user, group } = membership(ctx, userInput, groupInput)
  return ctx.mutate(async () => {
    requireUser(ctx, user)
    const record = requireGroup(ctx, group)
    if (record.members.includes(user)) return
    const value: GroupRecord = { ...record, members: [...record.members, user].sort() }
    await ctx.commit([{ path: files.group(group), value }], by, `add ${user} to group ${group}`)
    ctx.emit({ type: 'grants-changed' })
  })
}

/** Removing a non-member changes nothing. */
export async function unassign(ctx: Context, userInput: string, groupInput: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const { user, group } = membership(ctx, userInput, groupInput)
  return ctx.mutate(async () => {
    requireUser(ctx, user)
    const record = requireGroup(ctx, group)
    if (!record.members.includes(user)) return
    const value: GroupRecord = { ...record, members: record.members.filter((m) => m !== user) }
    await ctx.commit([{ path: files.group(group), value }], by, `remove ${user} from group ${group}`)
    ctx.emit({ type: 'grants-changed' })
  })
}

export function listGroups(ctx: Context): Array<{ name: string; members: string[] }> {
  return [...ctx.model.groups.values()]
    .map((g) => ({ name: g.name, members: [...g.members] }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}
