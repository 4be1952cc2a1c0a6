import { checkActor, type Context } from './context.js'
import { AuthError } from './errors.js'
import { requireGroup } from './groups.js'
import { files, type GrantRecord } from './model.js'
import { ANON } from './names.js'
import { parseAccessPath, pathCovers, type AccessPath } from './paths.js'
import { maxRole, parseRole, roleAtLeast } from './roles.js'
import { parseSubject, type Subject } from './subjects.js'
import { requireUser } from './users.js'
import type { Actor, Grant, Identity, Role } from './types.js'

function requireSubject(ctx: Context, s: Subject): void {
  if (s.kind === 'group') requireGroup(ctx, s.name)
  else if (s.name !== ANON) requireUser(ctx, s.name)
}

/** One grant per (subject, path): granting again replaces the role. */
export async function grant(ctx: Context, subjectInput: string, pathInput: string, roleInput: Role, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const s = parseSubject(subjectInput)
  const { path } = parseAccessPath(pathInput)
  const role = parseRole(roleInput)
  return ctx.mutate(async () => {
    requireSubject(ctx, s)
    const current = ctx.model.grants.get(s.subject)
    if (current?.grants[path] === role) return
    const value: GrantRecord = { subject: s.subject, grants: { ...current?.grants, [path]: role } }
    const who = s.kind === 'user' ? s.name : s.subject
    await ctx.commit([{ path: files.grants(s.subject), value }], by, `grant ${who} ${role} on ${path}`)
    ctx.emit({ type: 'grants-changed' })
  })
}

export async function revoke(ctx: Context, subjectInput: string, pathInput: string, actor: Actor): Promise<void> {
  const by = checkActor(actor)
  const s = parseSubject(subjectInput)
  const { path } = parseAccessPath(pathInput)
  return ctx.mutate(async () => {
    requireSubject(ctx, s)
    const current = ctx.model.grants.get(s.subject)
    if (!current || current.grants[path] === undefined) {
      throw new AuthError('GRANT_UNKNOWN', `${s.subject} has no grant on ${path}`)
    }
    const rest = Object.fromEntries(Object.entries(current.grants).filter(([p]) => p !== path))
    const value = Object.keys(rest).length > 0 ? { subject: s.subject, grants: rest } : undefined
    const who = s.kind === 'user' ? s.name : s.subject
    await ctx.commit([{ path: files.grants(s.subject), value }], by, `revoke ${who} on ${path}`)
    ctx.emit({ type: 'grants-changed' })
  })
}

export function listGrants(ctx: Context, subjectInput?: string): Grant[] {
  const only = subjectInput === undefined ? undefined : parseSubject(subjectInput).subject
  const out: Grant[] = []
  for (const record of ctx.model.grants.values()) {
    if (only !== undefined && record.subject !== only) continue
    for (const [path, role] of Object.entries(record.grants)) out.push({ subject: record.subject, path, role })
  }
  return out.sort((a, b) => (a.subject === b.subject ? (a.path < b.path ? -1 : 1) : a.subject < b.subject ? -1 : 1))
}

/** Parsed grant paths per (immutable) record, so `can()` does not re-parse on every request. */
const parsed = new WeakMap<GrantRecord, Array<[AccessPath, Role]>>()
function grantsOf(record: GrantRecord | undefined): Array<[AccessPath, Role]> {
  if (!record) return []
  let list = parsed.get(record)
  if (!list) {
    list = Object.entries(record.grants).map(([path, role]) => [parseAccessPath(path), role])
    parsed.set(record, list)
  }
  return list
}

/**
 * The highest role `user` holds on `path`: its own grants, its groups' grants, and `anon`'s grants
 * (whatever an unauthenticated caller may do, a signed-in user may do too). Undefined when none covers it.
 */
export function effectiveRole(ctx: Context, user: string, pathInput: string): Role | undefined {
  const request = parseAccessPath(pathInput)
  const { model } = ctx
  if (user !== ANON && !model.users.has(user)) return undefined
  const subjects = [`user:${ANON}`]
  if (user !== ANON) subjects.push(`user:${user}`, ...model.groupsOf(user).map((g) => `group:${g}`))
  let best: Role | undefined
  for (const subject of subjects) {
    for (const [path, role] of grantsOf(model.grants.get(subject))) {
      if (pathCovers(path, request)) best = best ? maxRole(best, role) : role
    }
  }
  return best
}

export function can(ctx: Context, who: Identity | string, pathInput: string, roleInput: Role): boolean {
  const need = parseRole(roleInput)
  const name = (typeof who === 'string' ? who : who?.user ?? '').toLowerCase()
  const have = effectiveRole(ctx, name, pathInput)
  return have !== undefined && roleAtLeast(have, need)
}
