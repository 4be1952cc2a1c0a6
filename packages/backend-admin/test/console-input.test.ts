import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConsole, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
})
afterAll(async () => c.close())

describe('what you type is what is used, or refused', () => {
  it('refuses control characters, naming the first and its position; nothing is run', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run('/users add ab\x01cd pw')).toEqual({ ok: false, output: 'control character U+0001 (Ctrl-A) at position 14 refused; nothing was run' })
    expect(await c.auth.hasUser('abcd')).toBe(false)
    const tab = await admin.run('/users add tabby "pass\tword"')
    expect(tab).toMatchObject({ ok: false, output: expect.stringMatching(/^control character U\+0009 \(tab\) at position 23 /) })
    expect(await c.auth.hasUser('tabby')).toBe(false)
    expect((await admin.run('/users list \x1b[31m')).output).toMatch(/U\+001B \(escape\) at position 13/)
    expect((await admin.run('/users list \u0085')).output).toMatch(/U\+0085 \(C1 control\)/)
    // positions count from the start of the line as typed, leading blanks included
    expect((await admin.run('   /users add a\x01 pw')).output).toMatch(/U\+0001 \(Ctrl-A\) at position 16 /)
    // the position counts characters, not bytes or UTF-16 units
    expect((await admin.run('/users add 日本😀\x02 pw')).output).toMatch(/U\+0002 \(Ctrl-B\) at position 15 /)
  })

  it('passes UTF-8 through: passwords, labels and names shown back', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run('/users add ute "pässwörd 日本語"')).toMatchObject({ ok: true })
    expect(await c.auth.verifyPassword('ute', 'pässwörd 日本語')).toBeDefined()
    expect((await admin.run('/users add 日本語 pw')).output).toMatch(/^invalid user name '日本語'/)
    expect(await admin.run('/tokens create ute label=jürgen')).toMatchObject({ ok: true })
    expect((await admin.run('/tokens list ute')).output).toMatch(/\sjürgen\s/)
  })

  it('answers with the name as stored (names are folded to lower case)', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect(await admin.run('/users add ANON2 pw')).toEqual({ ok: true, output: "user 'anon2' added (names are stored in lower case)" })
    expect(await admin.run('/users grant ANON2 http/oci/default reader')).toEqual({ ok: true, output: "granted reader on http/oci/default to 'anon2'" })
    expect(await admin.run('/groups add Team')).toEqual({ ok: true, output: "group 'team' added" })
    expect(await admin.run('/users add lower pw')).toEqual({ ok: true, output: "user 'lower' added" })
  })

  it('limits lines to 8192 bytes of UTF-8, whatever the script', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    // 4,000 characters but 12,000 bytes
    expect(await admin.run(`/users add ${'日'.repeat(4000)} pw`)).toEqual({ ok: false, output: 'line too long (over 8192 bytes)' })
    expect((await admin.run(`/users add ${'x'.repeat(8000)} pw`)).output).toMatch(/^invalid user name/)
  })
})

describe('the last administrator, from the console', () => {
  it('cannot revoke their own owner on */*/* or leave the group that gives it', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    const r = await admin.run('/users revoke admin */*/*')
    expect(r).toMatchObject({ ok: false, output: expect.stringMatching(/^refused: this would leave no user with owner on \*\/\*\/\*/) })
    expect(await c.auth.can('admin', '*/*/*', 'owner')).toBe(true)
    await admin.run('/users add root2 pw')
    await admin.run('/groups add wheel')
    await admin.run('/groups assign root2 wheel')
    await admin.run('/groups grant wheel */*/* owner')
    expect(await admin.run('/users revoke admin */*/*')).toMatchObject({ ok: true })
    const root2 = c.interpreter.session({ user: 'root2' })
    expect((await root2.run('/groups unassign root2 wheel')).output).toMatch(/^refused: /)
    expect((await root2.run('/groups revoke wheel */*/*')).output).toMatch(/^refused: /)
    expect((await root2.run('/groups delete wheel')).output).toMatch(/^refused: /)
    expect((await root2.run('/users delete root2')).output).toBe('you cannot delete yourself')
    // hand it back so the rest of the file has its admin
    expect(await root2.run('/users grant admin */*/* owner')).toMatchObject({ ok: true })
  })
})
