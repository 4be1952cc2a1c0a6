import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConsole, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
  const admin = c.interpreter.session({ user: 'admin' })
  await admin.run('/users add alice change-me')
  await admin.run('/users add bob change-me')
  await admin.run('/users grant alice http/oci/default owner')
  await admin.run('/users grant bob http/oci/default reader')
})
afterAll(async () => c.close())

const DENIED = { ok: false, output: 'permission denied: needs owner on */*/*' }

describe('permissions', () => {
  it('lets any user run the list commands', async () => {
    const alice = c.interpreter.session({ user: 'alice' })
    for (const line of ['/users list', '/oci list', '/store list', '/groups list', '/help', '/users grants', '/users key list', '/tokens list']) {
      expect(await alice.run(line), line).toMatchObject({ ok: true })
    }
  })

  it('shows non-admins only their own grants, keys and tokens', async () => {
    const alice = c.interpreter.session({ user: 'alice' })
    const grants = (await alice.run('/users grants')).output
    expect(grants).toContain('user:alice')
    expect(grants).not.toContain('user:bob')
    expect(grants).not.toContain('user:admin')
    expect(await alice.run('/users grants alice')).toMatchObject({ ok: true })
    expect(await alice.run('/users grants bob')).toEqual(DENIED)
    expect(await alice.run('/tokens list bob')).toEqual(DENIED)
    expect(await alice.run('/users key list bob')).toEqual(DENIED)
  })

  it('refuses every change to a user without owner on */*/*, even an owner elsewhere', async () => {
    const alice = c.interpreter.session({ user: 'alice' })
    const lines = [
      '/users add mallory pw', '/users passwd bob pw', '/users delete bob', '/users grant alice */*/* owner',
      '/users revoke bob http/oci/default', '/users key add alice ssh-ed25519 AAAA', '/users key delete bob x',
      '/tokens create alice', '/tokens revoke x', '/groups add g', '/groups assign alice g', '/groups grant g */*/* owner',
      '/groups revoke g x/y/z', '/oci create x vhost=x', '/oci set x vhost=y', '/oci unset x vhost=y', '/oci delete x',
      '/store log everlock-system', '/store verify everlock-system',
    ]
    for (const line of lines) expect(await alice.run(line), line).toEqual(DENIED)
    expect(await c.auth.hasUser('mallory')).toBe(false)
    expect(await c.auth.can('alice', '*/*/*', 'owner')).toBe(false)
    expect(c.oci.calls).toEqual([])
  })

  it('notices a grant given while the session is open', async () => {
    const bob = c.interpreter.session({ user: 'bob' })
    expect(await bob.run('/users add frank pw')).toEqual(DENIED)
    await c.interpreter.session({ user: 'admin' }).run('/users grant bob */*/* owner')
    expect(await bob.run('/users add frank pw')).toMatchObject({ ok: true })
    const store = await c.stores.open('everlock-system')
    expect((await store.head())?.author).toBe('bob')
  })
})
