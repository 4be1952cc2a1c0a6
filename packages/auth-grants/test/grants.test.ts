import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, openSystem, type System } from './helpers'

let sys: System
beforeAll(async () => {
  sys = await openSystem()
  for (const name of ['alice', 'bob', 'carol']) await sys.auth.addUser(name, 'pw', admin)
})
afterAll(() => sys.close())

describe('grants', () => {
  it('grants to a bare name, user:<n> and group:<n>; granting again replaces the role', async () => {
    await sys.auth.grant('alice', 'http/oci/default', 'writer', admin)
    await sys.auth.grant('user:alice', 'http/image/family', 'Reader' as 'reader', admin)
    await sys.auth.grant('alice', 'http/image/family', 'owner', admin)
    expect(await sys.auth.listGrants('alice')).toEqual([
      { subject: 'user:alice', path: 'http/image/family', role: 'owner' },
      { subject: 'user:alice', path: 'http/oci/default', role: 'writer' },
    ])
    expect(await sys.auth.can('alice', 'http/image/family', 'owner')).toBe(true)
    expect(await sys.auth.can({ user: 'alice', via: 'token' }, 'http/oci/default', 'owner')).toBe(false)
  })

  it('groups grant to all members and stop when a member leaves or the group goes', async () => {
    await sys.auth.addGroup('devs', admin)
    await sys.auth.grant('group:devs', 'http/oci/default/team-a', 'writer', admin)
    expect(await sys.auth.can('bob', 'http/oci/default/team-a/app', 'writer')).toBe(false)
    await sys.auth.assign('bob', 'devs', admin)
    await sys.auth.assign('bob', 'devs', admin) // twice changes nothing
    expect(await sys.auth.listGroups()).toEqual([{ name: 'devs', members: ['bob'] }])
    expect(await sys.auth.can('bob', 'http/oci/default/team-a/app', 'writer')).toBe(true)
    expect(await sys.auth.can('bob', 'http/oci/default/team-b/app', 'reader')).toBe(false)
    expect(await sys.auth.can('bob', 'http/oci/default', 'reader')).toBe(false)
    await sys.auth.unassign('bob', 'devs', admin)
    expect(await sys.auth.can('bob', 'http/oci/default/team-a/app', 'writer')).toBe(false)
    await sys.auth.assign('bob', 'devs', admin)
    await sys.auth.deleteGroup('devs', admin)
    expect(await sys.auth.can('bob', 'http/oci/default/team-a/app', 'reader')).toBe(false)
    expect(await sys.auth.listGrants('group:devs')).toEqual([])
    await expect(sys.auth.assign('bob', 'devs', admin)).rejects.toMatchObject({ code: 'GROUP_UNKNOWN' })
  })

  it('takes the highest role among own and group grants, with wildcards', async () => {
    await sys.auth.addGroup('ops', admin)
    await sys.auth.assign('carol', 'ops', admin)
    await sys.auth.grant('carol', 'http/oci/default', 'reader', admin)
    await sys.auth.grant('group:ops', 'http/*/*', 'owner', admin)
    expect(await sys.auth.effectiveRole('carol', 'http/oci/default/x')).toBe('owner')
    expect(await sys.auth.can('carol', 'http/image/family', 'owner')).toBe(true)
    expect(await sys.auth.can('carol', 'ssh/admin/console', 'reader')).toBe(false)
    expect(await sys.auth.effectiveRole('carol', 'ssh/admin/console')).toBeUndefined()
  })

  it('finer grants cover only their subtree', async () => {
    await sys.auth.grant('bob', 'http/oci/default/team-a', 'owner', admin)
    expect(await sys.auth.can('bob', 'http/oci/default/team-a', 'owner')).toBe(true)
    expect(await sys.auth.can('bob', 'http/oci/default/team-a/deep/er', 'owner')).toBe(true)
    expect(await sys.auth.can('bob', 'http/oci/default/team-ab', 'reader')).toBe(false)
    expect(await sys.auth.can('bob', 'http/oci/default', 'reader')).toBe(false)
  })

  it('revokes; revoking a missing grant is GRANT_UNKNOWN', async () => {
    await sys.auth.grant('bob', 'ssh/admin/console', 'reader', admin)
    await sys.auth.revoke('bob', 'ssh/admin/console/', admin)
    expect(await sys.auth.can('bob', 'ssh/admin/console', 'reader')).toBe(false)
    await expect(sys.auth.revoke('bob', 'ssh/admin/console', admin)).rejects.toMatchObject({ code: 'GRANT_UNKNOWN' })
  })

  it('deleting a user removes its grants; a new user of the same name starts with none', async () => {
    await sys.auth.addUser('dave', 'pw', admin)
    await sys.auth.grant('dave', 'http/oci/*', 'owner', admin) // (*/*/* would make dave the last administrator)
    await sys.auth.deleteUser('dave', admin)
    await sys.auth.addUser('dave', 'pw', admin)
    expect(await sys.auth.can('dave', 'http/oci/default', 'reader')).toBe(false)
    expect(await sys.auth.listGrants('dave')).toEqual([])
  })

  it('refuses bad subjects, paths, roles and unknown subjects with codes', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => sys.auth.grant('team:x', 'http/oci/default', 'reader', admin), 'SUBJECT_INVALID'],
      [() => sys.auth.grant(':x', 'http/oci/default', 'reader', admin), 'SUBJECT_INVALID'],
      [() => sys.auth.grant('user:Bad Name', 'http/oci/default', 'reader', admin), 'NAME_INVALID'],
      [() => sys.auth.grant('ghost', 'http/oci/default', 'reader', admin), 'USER_UNKNOWN'],
      [() => sys.auth.grant('group:ghosts', 'http/oci/default', 'reader', admin), 'GROUP_UNKNOWN'],
      [() => sys.auth.grant('alice', 'http/oci', 'reader', admin), 'PATH_INVALID'],
      [() => sys.auth.grant('alice', 'http/oci/../x', 'reader', admin), 'PATH_INVALID'],
      [() => sys.auth.grant('alice', 'http/oci/default', 'admin' as 'owner', admin), 'ROLE_INVALID'],
      [() => sys.auth.can('alice', 'nope', 'reader'), 'PATH_INVALID'],
      [() => sys.auth.can('alice', 'http/oci/default', 'boss' as 'owner'), 'ROLE_INVALID'],
      [() => sys.auth.addGroup('ops', admin), 'GROUP_EXISTS'],
      [() => sys.auth.addGroup('Not Valid', admin), 'NAME_INVALID'],
      [() => sys.auth.deleteGroup('ghosts', admin), 'GROUP_UNKNOWN'],
      [() => sys.auth.assign('ghost', 'ops', admin), 'USER_UNKNOWN'],
      [() => sys.auth.assign('anon', 'ops', admin), 'USER_BUILTIN'],
    ]
    for (const [run, code] of cases) await expect(run()).rejects.toMatchObject({ code })
  })

  it('emits grants-changed after grant, revoke, membership and group changes; unsubscribe stops it', async () => {
    const events: string[] = []
    const off = sys.auth.onChange((e) => events.push(e.type))
    sys.auth.onChange(() => {
      throw new Error('a broken listener does not break changes')
    })
    await sys.auth.grant('alice', 'http/oci/evt', 'reader', admin)
    await sys.auth.grant('alice', 'http/oci/evt', 'reader', admin) // no change, no event
    await sys.auth.revoke('alice', 'http/oci/evt', admin)
    await sys.auth.addGroup('evt', admin)
    await sys.auth.assign('alice', 'evt', admin)
    await sys.auth.unassign('alice', 'evt', admin)
    await sys.auth.deleteGroup('evt', admin)
    off()
    await sys.auth.grant('alice', 'http/oci/evt', 'reader', admin)
    expect(events).toEqual(Array(5).fill('grants-changed'))
  })

  it('error messages are one line for the console', async () => {
    const err = await sys.auth.grant('alice', 'http/oci/default', 'admin' as 'owner', admin).catch((e: Error) => e)
    expect(err).toMatchObject({ name: 'AuthError', code: 'ROLE_INVALID' })
    expect((err as Error).message).not.toMatch(/\n/)
  })
})
