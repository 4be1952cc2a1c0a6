import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuthEvent } from '@everlock/auth-grants'
import { admin, openSystem, type System } from './helpers'

let sys: System
beforeEach(async () => {
  sys = await openSystem()
})
afterEach(() => sys.close())

describe('users', () => {
  it('adds a user who can log in with the right password only', async () => {
    await sys.auth.addUser('alice', 'change-me', admin)
    expect(await sys.auth.verifyPassword('alice', 'change-me')).toEqual({ user: 'alice', via: 'password' })
    expect(await sys.auth.verifyPassword('alice', 'change-mE')).toBeUndefined()
    expect(await sys.auth.verifyPassword('alice', '')).toBeUndefined()
    expect(await sys.auth.verifyPassword('bob', 'change-me')).toBeUndefined()
    expect(await sys.auth.hasUser('alice')).toBe(true)
    expect(await sys.auth.hasUser('bob')).toBe(false)
  })

  it('folds names to lower case', async () => {
    await sys.auth.addUser('Alice', 'pw', admin)
    expect(await sys.auth.verifyPassword('ALICE', 'pw')).toEqual({ user: 'alice', via: 'password' })
    await expect(sys.auth.addUser('alice', 'pw', admin)).rejects.toMatchObject({ code: 'USER_EXISTS' })
  })

  it('stores a salted scrypt hash, never the password', async () => {
    await sys.auth.addUser('alice', 'same-password', admin)
    await sys.auth.addUser('bob', 'same-password', admin)
    const read = async (path: string) => {
      const entry = await sys.store.get(path)
      const chunks: Buffer[] = []
      for await (const c of await sys.store.getBlob(entry!.digest)) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    }
    const a = JSON.parse(await read('users/alice.json'))
    const b = JSON.parse(await read('users/bob.json'))
    expect(a.password).toMatchObject({ alg: 'scrypt', N: 1024, r: 8, p: 1 })
    expect(a.password.salt).not.toBe(b.password.salt)
    expect(a.password.hash).not.toBe(b.password.hash)
    expect(await read('users/alice.json')).not.toContain('same-password')
  })

  it('refuses invalid names and passwords with their codes', async () => {
    for (const name of ['', '-x', '.x', 'a b', 'a/b', 'ä', 'x'.repeat(65), '../etc']) {
      await expect(sys.auth.addUser(name, 'pw', admin)).rejects.toMatchObject({ code: 'NAME_INVALID' })
    }
    await expect(sys.auth.addUser('alice', '', admin)).rejects.toMatchObject({ code: 'PASSWORD_INVALID' })
    await expect(sys.auth.addUser('alice', 'x'.repeat(1025), admin)).rejects.toMatchObject({ code: 'PASSWORD_INVALID' })
    await sys.auth.addUser('x'.repeat(64), 'é'.repeat(512), admin) // 64 chars, 1024 bytes: the limits
    await expect(sys.auth.setPassword('nobody', 'pw', admin)).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
    await expect(sys.auth.deleteUser('nobody', admin)).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
  })

  it('changes passwords and deletes users, emitting events', async () => {
    const events: AuthEvent[] = []
    sys.auth.onChange((e) => events.push(e))
    await sys.auth.addUser('alice', 'old', admin)
    await sys.auth.setPassword('alice', 'new', admin)
    expect(await sys.auth.verifyPassword('alice', 'old')).toBeUndefined()
    expect(await sys.auth.verifyPassword('alice', 'new')).toBeDefined()
    await sys.auth.deleteUser('alice', admin)
    expect(await sys.auth.verifyPassword('alice', 'new')).toBeUndefined()
    expect(await sys.auth.hasUser('alice')).toBe(false)
    expect(events).toEqual([
      { type: 'password-changed', user: 'alice' },
      { type: 'user-deleted', user: 'alice' },
      { type: 'grants-changed' },
    ])
  })

  it('lists users with anon built in and group membership', async () => {
    await sys.auth.addUser('bob', 'pw', admin)
    await sys.auth.addUser('alice', 'pw', admin)
    await sys.auth.addGroup('devs', admin)
    await sys.auth.assign('bob', 'devs', admin)
    const users = await sys.auth.listUsers()
    expect(users.map((u) => [u.name, u.builtin, u.groups])).toEqual([
      ['alice', false, []],
      ['anon', true, []],
      ['bob', false, ['devs']],
    ])
  })
})

describe('anon', () => {
  it('is always there, never logs in, cannot be changed or deleted', async () => {
    expect(await sys.auth.hasUser('anon')).toBe(true)
    expect(await sys.auth.verifyPassword('anon', '')).toBeUndefined()
    expect(await sys.auth.verifyPassword('anon', 'anything')).toBeUndefined()
    await expect(sys.auth.addUser('anon', 'pw', admin)).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.setPassword('anon', 'pw', admin)).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.deleteUser('anon', admin)).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.createToken('anon', {}, admin)).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.createSession('anon')).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.bootstrapAdmin('anon', 'pw')).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    expect(await sys.auth.verifyPassword('anon', 'anything')).toBeUndefined()
  })

  it('receives grants, which every user shares', async () => {
    await sys.auth.addUser('alice', 'pw', admin)
    expect(await sys.auth.can({ user: 'anon', via: 'anon' }, 'http/oci/default', 'reader')).toBe(false)
    await sys.auth.grant('anon', 'http/oci/default', 'reader', admin)
    expect(await sys.auth.can({ user: 'anon', via: 'anon' }, 'http/oci/default/lib/app', 'reader')).toBe(true)
    expect(await sys.auth.can('anon', 'http/oci/default', 'writer')).toBe(false)
    expect(await sys.auth.can('alice', 'http/oci/default', 'reader')).toBe(true)
    expect(await sys.auth.can('alice', 'http/oci/default', 'writer')).toBe(false)
    expect(await sys.auth.can('ghost', 'http/oci/default', 'reader')).toBe(false)
  })
})

describe('bootstrapAdmin', () => {
  it('creates the admin with owner on */*/* once, authored by system', async () => {
    expect(await sys.auth.bootstrapAdmin('root', 'secret')).toEqual({ created: true })
    expect(await sys.auth.bootstrapAdmin('root', 'other')).toEqual({ created: false })
    expect(await sys.auth.verifyPassword('root', 'secret')).toBeDefined()
    expect(await sys.auth.verifyPassword('root', 'other')).toBeUndefined()
    expect(await sys.auth.listGrants('root')).toEqual([{ subject: 'user:root', path: '*/*/*', role: 'owner' }])
    expect(await sys.auth.can('root', 'ssh/admin/console', 'owner')).toBe(true)
    expect(await sys.auth.can('root', '*/*/*', 'owner')).toBe(true)
    const head = await sys.store.head()
    expect(head).toMatchObject({ author: 'system', seq: 1 })
    expect(head!.message).toContain('root')
  })
})
