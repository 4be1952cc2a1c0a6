import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConsole, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
  const admin = c.interpreter.session({ user: 'admin' })
  for (const line of ['/users add alice alice-pw', '/users add bob bob-pw', '/groups add team', '/groups add other',
    '/groups assign alice team', '/groups assign bob other', '/groups grant team http/oci/team writer',
    '/users grant alice http/oci/default reader', '/users grant anon http/oci/public reader', '/tokens create bob label=bobs']) {
    expect(await admin.run(line), line).toMatchObject({ ok: true })
  }
})
afterAll(async () => c.close())

describe('/me: self-service for every user', () => {
  it('/me passwd checks the current password and changes it; the commit is authored by the user', async () => {
    const alice = c.interpreter.session({ user: 'alice' })
    expect(await alice.run('/me passwd wrong new-pw')).toEqual({ ok: false, output: 'the current password is not correct; nothing changed' })
    expect(await c.auth.verifyPassword('alice', 'alice-pw')).toBeDefined()
    expect(await alice.run('/me passwd alice-pw "new pw ü"')).toEqual({ ok: true, output: 'your password was changed' })
    expect(await c.auth.verifyPassword('alice', 'new pw ü')).toBeDefined()
    const head = await (await c.stores.open('everlock-system')).head()
    expect(head).toMatchObject({ author: 'alice' })
  })

  it('/me tokens create|list|revoke manage only your own tokens', async () => {
    const alice = c.interpreter.session({ user: 'alice' })
    const made = await alice.run('/me tokens create label=laptop expires=30d')
    expect(made.ok).toBe(true)
    const id = /^token ([0-9a-f]{16}) created for 'alice'/.exec(made.output)![1]!
    const secret = /^secret: (\S+)$/m.exec(made.output)![1]!
    expect(await c.auth.verifyToken(secret)).toMatchObject({ user: 'alice' })
    const list = (await alice.run('/me tokens list')).output
    expect(list).toMatch(new RegExp(`^${id}\\s+alice\\s+laptop\\s`, 'm'))
    expect(list).not.toContain('bob')
    const bobs = (await c.auth.listTokens('bob'))[0]!.id
    expect(await alice.run(`/me tokens revoke ${bobs}`)).toEqual({ ok: false, output: `you have no token '${bobs}'` })
    expect(await c.auth.listTokens('bob')).toHaveLength(1)
    expect(await alice.run(`/me tokens revoke ${id}`)).toEqual({ ok: true, output: `token ${id} revoked` })
    expect(await c.auth.verifyToken(secret)).toBeUndefined()
  })

  it('/me grants shows your own, your groups\' and everyone\'s grants', async () => {
    const out = (await c.interpreter.session({ user: 'alice' }).run('/me grants')).output
    expect(out).toMatch(/^user:alice\s+http\/oci\/default\s+reader$/m)
    expect(out).toMatch(/^group:team\s+http\/oci\/team\s+writer$/m)
    expect(out).toMatch(/^user:anon\s+http\/oci\/public\s+reader$/m)
    expect(out).not.toContain('group:other')
  })
})

describe('what non-admins may list', () => {
  it('/users list and /groups list show a non-admin only themselves and their groups; admins see all', async () => {
    const bob = c.interpreter.session({ user: 'bob' })
    const users = (await bob.run('/users list')).output.split('\n')
    expect(users).toHaveLength(2)
    expect(users[1]).toMatch(/^bob\s+\S+\s+other$/)
    expect((await bob.run('/groups list')).output).toMatch(/^GROUP\s+MEMBERS\nother\s+bob$/)
    const admin = c.interpreter.session({ user: 'admin' })
    expect((await admin.run('/users list')).output).toMatch(/^alice\s/m)
    expect((await admin.run('/groups list')).output).toMatch(/^team\s+alice$/m)
  })
})
