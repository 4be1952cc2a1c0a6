import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAuth } from '@everlock/auth-grants'
import { FAST_KDF, admin, commits, openSystem, type System } from './helpers'

let sys: System
beforeEach(async () => {
  sys = await openSystem()
})
afterEach(() => sys.close())

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop'

describe('persistence', () => {
  it('everything survives closing and reopening the data directory', async () => {
    const { auth } = sys
    await auth.bootstrapAdmin('root', 'rootpw')
    await auth.addUser('alice', 'alicepw', { by: 'root' })
    await auth.addGroup('devs', { by: 'root' })
    await auth.assign('alice', 'devs', { by: 'root' })
    await auth.grant('group:devs', 'http/oci/default', 'writer', { by: 'root' })
    await auth.grant('anon', 'http/oci/default', 'reader', { by: 'root' })
    const key = await auth.addKey('alice', KEY, { by: 'root' })
    const token = await auth.createToken('alice', { label: 'ci' }, { by: 'alice' })
    const session = await auth.createSession('alice')

    const again = await sys.reopen()
    expect(await again.verifyPassword('root', 'rootpw')).toBeDefined()
    expect(await again.verifyPassword('alice', 'alicepw')).toEqual({ user: 'alice', via: 'password' })
    expect(await again.can('alice', 'http/oci/default/x', 'writer')).toBe(true)
    expect(await again.can('anon', 'http/oci/default/x', 'reader')).toBe(true)
    expect(await again.can('root', '*/*/*', 'owner')).toBe(true)
    expect(await again.listGroups()).toEqual([{ name: 'devs', members: ['alice'] }])
    expect(await again.listKeys('alice')).toEqual([key])
    expect(await again.listTokens()).toEqual([token.info])
    expect(await again.verifyToken(token.secret)).toEqual({ user: 'alice', via: 'token' })
    expect(await again.verifySession(session.secret)).toEqual({ user: 'alice', via: 'session' })
  })

  it('every change is one commit with the actor as author and a clear message', async () => {
    const { auth } = sys
    await auth.bootstrapAdmin('root', 'pw')
    await auth.addUser('alice', 'pw', { by: 'root' })
    await auth.grant('alice', 'http/oci/default', 'writer', { by: 'root' })
    await auth.addGroup('devs', { by: 'root' })
    await auth.assign('alice', 'devs', { by: 'root' })
    await auth.setPassword('alice', 'pw2', { by: 'alice' })
    const t = await auth.createToken('alice', {}, { by: 'alice' })
    await auth.revokeToken(t.info.id, { by: 'root' })
    await auth.revoke('alice', 'http/oci/default', { by: 'root' })
    await auth.deleteUser('alice', { by: 'root' })
    const log = (await commits(sys.store)).reverse()
    expect(log.map((c) => [c.author, c.message])).toEqual([
      ['system', 'bootstrap admin root with owner on */*/*'],
      ['root', 'add user alice'],
      ['root', 'grant alice writer on http/oci/default'],
      ['root', 'add group devs'],
      ['root', 'add alice to group devs'],
      ['alice', 'set password of alice'],
      ['alice', `create token ${t.info.id} for alice`],
      ['root', `revoke token ${t.info.id} of alice`],
      ['root', 'revoke alice on http/oci/default'],
      ['root', 'delete user alice'],
    ])
    // the deletion also took alice out of the group, in the same commit
    expect(log.at(-1)!.paths).toEqual(expect.arrayContaining(['users/alice.json', 'groups/devs.json']))
    // no secret in any message
    expect(JSON.stringify(log)).not.toContain(t.secret.slice('evl_0123456789abcdef_'.length))
  })

  it('invalid input changes nothing: no commit, no memory change', async () => {
    const { auth } = sys
    await auth.addUser('alice', 'pw', admin)
    await auth.addGroup('devs', admin)
    const before = await sys.store.head()
    const attempts: Array<() => Promise<unknown>> = [
      () => auth.addUser('alice', 'pw', admin),
      () => auth.addUser('Bad Name', 'pw', admin),
      () => auth.addUser('bob', '', admin),
      () => auth.setPassword('ghost', 'pw', admin),
      () => auth.deleteUser('anon', admin),
      () => auth.grant('alice', 'http/x', 'reader', admin),
      () => auth.grant('alice', 'http/oci/default', 'god' as 'owner', admin),
      () => auth.grant('ghost', 'http/oci/default', 'reader', admin),
      () => auth.revoke('alice', 'http/oci/default', admin),
      () => auth.addGroup('devs', admin),
      () => auth.assign('ghost', 'devs', admin),
      () => auth.addKey('alice', 'ssh-rsa AAAA', admin),
      () => auth.deleteKey('alice', 'SHA256:nope', admin),
      () => auth.createToken('ghost', {}, admin),
      () => auth.createToken('alice', { expiresAt: new Date(Date.now() - 1000) }, admin),
      () => auth.revokeToken('0123456789abcdef', admin),
    ]
    for (const attempt of attempts) await expect(attempt()).rejects.toHaveProperty('code')
    expect((await sys.store.head())!.id).toBe(before!.id)
    expect((await auth.listUsers()).map((u) => u.name)).toEqual(['alice', 'anon'])
    expect(await auth.listGrants()).toEqual([])
    expect(await auth.listKeys()).toEqual([])
    expect(await auth.listTokens()).toEqual([])
    // idempotent no-ops make no commits either
    await auth.assign('alice', 'devs', admin)
    const afterAssign = await sys.store.head()
    await auth.assign('alice', 'devs', admin)
    await auth.grant('alice', 'http/oci/default', 'reader', admin)
    await auth.grant('alice', 'http/oci/default', 'reader', admin)
    expect((await sys.store.head())!.seq).toBe(afterAssign!.seq + 1)
  })

  it('a second Auth over the same store sees the same data, and changes made by the other', async () => {
    await sys.auth.addUser('alice', 'pw', admin)
    const first = await createAuth({ store: sys.store, kdf: FAST_KDF, refreshMs: 0 })
    const second = await createAuth({ store: sys.store, kdf: FAST_KDF, refreshMs: 0 })
    expect(await second.verifyPassword('alice', 'pw')).toBeDefined()
    await second.grant('alice', 'http/oci/default', 'reader', admin)
    expect(await first.can('alice', 'http/oci/default', 'reader')).toBe(true)
    await first.addUser('bob', 'pw', admin)
    expect(await second.hasUser('bob')).toBe(true)
    await second.deleteUser('bob', admin)
    // changes always look at HEAD first, whatever refreshMs says
    await expect(sys.auth.setPassword('bob', 'x', admin)).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
  })

  it('concurrent changes are serialised: all land, each its own commit', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => sys.auth.addUser(`u${i}`, 'pw', admin)))
    expect((await sys.store.head())!.seq).toBe(12)
    const again = await sys.reopen()
    expect((await again.listUsers()).length).toBe(13)
  })
})
