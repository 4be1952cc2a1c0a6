import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConsole, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
})
afterAll(async () => c.close())

describe('/users', () => {
  it('runs the getting-started guide word for word (seed 003 steps 3 and 9)', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run('/users add alice change-me')).toMatchObject({ ok: true })
    expect(await admin.run('/users grant alice http/oci/default writer')).toMatchObject({ ok: true })
    expect(await admin.run('/users grant anon http/oci/default reader')).toMatchObject({ ok: true })
    expect(await c.auth.verifyPassword('alice', 'change-me')).toMatchObject({ user: 'alice' })
    expect(await c.auth.can('alice', 'http/oci/default', 'writer')).toBe(true)
    expect(await c.auth.can('anon', 'http/oci/default', 'reader')).toBe(true)
    expect(await c.auth.can('anon', 'http/oci/default', 'writer')).toBe(false)
  })

  it('commits every change with the console user as author', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    await admin.run('/users add bob pw-1')
    const store = await c.stores.open('everlock-system')
    const head = await store.head()
    expect(head?.author).toBe('admin')
    const log = await admin.run('/store log everlock-system 1')
    expect(log.ok).toBe(true)
    expect(log.output).toMatch(new RegExp(`^${head!.id.slice(0, 12)} \\S+ admin `))
  })

  it('lists users, changes passwords, deletes users', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    await admin.run('/users add carol first-pw')
    expect((await admin.run('/users list')).output).toMatch(/^carol\s/m)
    expect(await admin.run('/users passwd carol "second pw"')).toMatchObject({ ok: true })
    expect(await c.auth.verifyPassword('carol', 'second pw')).toBeDefined()
    expect(await c.auth.verifyPassword('carol', 'first-pw')).toBeUndefined()
    expect(await admin.run('/users delete carol')).toMatchObject({ ok: true })
    expect(await c.auth.hasUser('carol')).toBe(false)
    expect((await admin.run('/users list')).output).not.toMatch(/^carol\s/m)
  })

  it('shows grants and revokes them', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    await admin.run('/users add dave pw')
    await admin.run('/users grant dave http/image/family owner')
    expect((await admin.run('/users grants dave')).output).toMatch(/user:dave\s+http\/image\/family\s+owner/)
    expect((await admin.run('/users grants')).output).toMatch(/user:admin\s+\*\/\*\/\*\s+owner/)
    expect(await admin.run('/users revoke dave http/image/family')).toMatchObject({ ok: true })
    expect(await c.auth.can('dave', 'http/image/family', 'reader')).toBe(false)
    expect((await admin.run('/users grants dave')).output).toBe("no grants for 'dave'")
  })

  it('gives clear one-line errors', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run('/users grant bob http/oci/default king')).toEqual({ ok: false, output: 'role must be reader, writer or owner' })
    expect(await admin.run('/users grant nobody http/oci/default reader')).toEqual({ ok: false, output: "unknown user 'nobody'" })
    expect(await admin.run('/users add bob again')).toEqual({ ok: false, output: "user 'bob' already exists" })
    expect(await admin.run('/users add onlyname')).toEqual({ ok: false, output: 'usage: /users add <name> <password>' })
    expect(await admin.run('/users grant bob not-a-path reader')).toMatchObject({ ok: false, output: expect.stringMatching(/^invalid access path/) })
    expect(await admin.run('/users delete admin')).toEqual({ ok: false, output: 'you cannot delete yourself' })
    expect(await admin.run('/foo')).toEqual({ ok: false, output: "unknown command '/foo' (try /help)" })
    expect((await admin.run('/users frob')).output).toMatch(/^unknown subcommand 'frob'; usage: \/users list\|add\|/)
    expect(await admin.run('/users')).toMatchObject({ ok: false, output: expect.stringMatching(/^usage: \/users list\|add\|.*\|key \(try \/help users\)$/) })
    expect(await admin.run('/users key')).toEqual({ ok: false, output: 'usage: /users key add|list|delete (try /help users)' })
    expect(await admin.run('/users key frob')).toEqual({ ok: false, output: "unknown subcommand 'frob'; usage: /users key add|list|delete (try /help users)" })
    expect(await admin.run('/users add "unterminated')).toEqual({ ok: false, output: 'unterminated double quote' })
    expect(await admin.run('/users add x'.padEnd(9000, 'y'))).toMatchObject({ ok: false, output: expect.stringMatching(/^line too long/) })
  })

  it('takes quoted passwords with spaces', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run(`/users add erin 'pass word "x"'`)).toMatchObject({ ok: true })
    expect(await c.auth.verifyPassword('erin', 'pass word "x"')).toBeDefined()
  })
})
