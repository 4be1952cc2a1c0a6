import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { admin, commits, openSystem, type System } from './helpers.js'

let sys: System
beforeEach(async () => {
  sys = await openSystem()
  await sys.auth.bootstrapAdmin('admin', 'admin-pw')
})
afterEach(async () => sys.close())

const code = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: { code?: string }) => e.code)

describe('the last administrator', () => {
  it('cannot revoke or lower their own owner on */*/*; nothing is committed', async () => {
    const before = (await commits(sys.store)).length
    expect(await code(sys.auth.revoke('admin', '*/*/*', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.grant('admin', '*/*/*', 'writer', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.deleteUser('admin', { by: 'someone' }))).toBe('LAST_ADMIN')
    expect(await sys.auth.can('admin', '*/*/*', 'owner')).toBe(true)
    expect(await sys.auth.listAdmins()).toEqual(['admin'])
    expect((await commits(sys.store)).length).toBe(before)
  })

  it('may go once another user is an administrator', async () => {
    await sys.auth.addUser('bob', 'bob-pw', admin)
    await sys.auth.grant('bob', '*/*/*', 'owner', admin)
    await sys.auth.revoke('admin', '*/*/*', admin)
    expect(await sys.auth.listAdmins()).toEqual(['bob'])
    expect(await code(sys.auth.deleteUser('bob', admin))).toBe('LAST_ADMIN')
    await sys.auth.deleteUser('admin', { by: 'bob' })
  })

  it('counts group owners: unassigning, revoking the group grant or deleting the group is refused when it is the last', async () => {
    await sys.auth.addUser('carol', 'carol-pw', admin)
    await sys.auth.addGroup('ops', admin)
    await sys.auth.assign('carol', 'ops', admin)
    await sys.auth.grant('group:ops', '*/*/*', 'owner', admin)
    await sys.auth.revoke('admin', '*/*/*', admin) // carol (through ops) is still an administrator
    expect(await sys.auth.listAdmins()).toEqual(['carol'])
    expect(await code(sys.auth.unassign('carol', 'ops', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.revoke('group:ops', '*/*/*', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.grant('group:ops', '*/*/*', 'reader', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.deleteGroup('ops', admin))).toBe('LAST_ADMIN')
    expect(await code(sys.auth.deleteUser('carol', admin))).toBe('LAST_ADMIN')
    expect(await sys.auth.can('carol', '*/*/*', 'owner')).toBe(true)
  })

  it('other grants and users change freely', async () => {
    await sys.auth.grant('admin', 'http/oci/default', 'reader', admin)
    await sys.auth.revoke('admin', 'http/oci/default', admin)
    await sys.auth.addUser('dave', 'pw', admin)
    await sys.auth.deleteUser('dave', admin)
  })

  it('the refusal is one line naming the rule', async () => {
    const err = await sys.auth.revoke('admin', '*/*/*', admin).catch((e: Error) => e)
    expect((err as Error).message).not.toContain('\n')
    expect((err as Error).message).toContain('*/*/*')
  })
})

describe('rescueAdmin (everlock serve --admin-user on an existing user)', () => {
  const serve = { by: 'everlock-serve' }

  it('sets the password and restores owner on */*/* in one commit by the actor, without the secret', async () => {
    await sys.auth.addUser('bob', 'bob-pw', admin)
    await sys.auth.grant('bob', '*/*/*', 'owner', admin)
    await sys.auth.revoke('admin', '*/*/*', { by: 'bob' })
    await sys.auth.setPassword('admin', 'forgotten', { by: 'bob' })
    expect(await sys.auth.rescueAdmin('admin', 'new-secret', serve)).toEqual({ created: false, passwordChanged: true, ownerRestored: true })
    expect(await sys.auth.verifyPassword('admin', 'new-secret')).toBeDefined()
    expect(await sys.auth.can('admin', '*/*/*', 'owner')).toBe(true)
    const [last] = await commits(sys.store)
    expect(last).toMatchObject({ author: 'everlock-serve' })
    expect(last!.message).toMatch(/^rescue admin admin: set its password and restore owner on \*\/\*\/\*$/)
    expect(last!.paths).toEqual(expect.arrayContaining(['users/admin.json', 'grants/users/admin.json']))
    expect(JSON.stringify(await commits(sys.store))).not.toContain('new-secret')
  })

  it('changes nothing (no commit) when the password is already that and the grant is there', async () => {
    const before = (await commits(sys.store)).length
    expect(await sys.auth.rescueAdmin('admin', 'admin-pw', serve)).toEqual({ created: false, passwordChanged: false, ownerRestored: false })
    expect((await commits(sys.store)).length).toBe(before)
  })

  it('creates a missing user with owner; without a password that is refused', async () => {
    expect(await code(sys.auth.rescueAdmin('newbie', undefined, serve))).toBe('PASSWORD_INVALID')
    expect(await sys.auth.rescueAdmin('newbie', 'pw', serve)).toEqual({ created: true, passwordChanged: false, ownerRestored: false })
    expect(await sys.auth.can('newbie', '*/*/*', 'owner')).toBe(true)
  })

  it('without a password: restores the grant only when no administrator is left', async () => {
    await sys.auth.addUser('bob', 'bob-pw', admin)
    // another administrator exists: bob is left as he is
    expect(await sys.auth.rescueAdmin('bob', undefined, serve)).toEqual({ created: false, passwordChanged: false, ownerRestored: false })
    expect(await sys.auth.can('bob', '*/*/*', 'owner')).toBe(false)
    // no administrator at all (e.g. a data directory from before the last-owner rule): restored
    await sys.store.commit([{ op: 'delete', path: 'grants/users/admin.json' }], { author: 'test', message: 'old data' })
    const reopened = await sys.reopen()
    expect(await reopened.listAdmins()).toEqual([])
    expect(await reopened.rescueAdmin('bob', undefined, serve)).toEqual({ created: false, passwordChanged: false, ownerRestored: true })
    expect(await reopened.verifyPassword('bob', 'bob-pw')).toBeDefined()
    expect(await reopened.listAdmins()).toEqual(['bob'])
  })
})

describe('changePassword (self-service)', () => {
  it('needs the current password; a wrong one is PASSWORD_WRONG and changes nothing', async () => {
    await sys.auth.addUser('erin', 'old-pw', admin)
    expect(await code(sys.auth.changePassword('erin', 'not-it', 'new-pw', { by: 'erin' }))).toBe('PASSWORD_WRONG')
    expect(await sys.auth.verifyPassword('erin', 'old-pw')).toBeDefined()
    await sys.auth.changePassword('erin', 'old-pw', 'new-pw', { by: 'erin' })
    expect(await sys.auth.verifyPassword('erin', 'new-pw')).toBeDefined()
    expect(await sys.auth.verifyPassword('erin', 'old-pw')).toBeUndefined()
    const [last] = await commits(sys.store)
    expect(last).toMatchObject({ author: 'erin', message: 'change own password of erin' })
  })
})

describe('text shown back keeps UTF-8', () => {
  it('token labels and error messages keep non-ASCII; control and bidi characters become ?', async () => {
    const { info } = await sys.auth.createToken('admin', { label: 'jürgen 日本語 \u202e\x01' }, admin)
    expect(info.label).toBe('jürgen 日本語 ??')
    const err = await sys.auth.addUser('日本語', 'pw', admin).catch((e: Error) => e)
    expect((err as unknown as { code: string }).code).toBe('NAME_INVALID')
    expect((err as Error).message).toContain("'日本語'")
  })
})
