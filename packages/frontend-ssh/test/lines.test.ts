import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ssh, start, type Harness } from './helpers.js'

// Line limits and exact input through the real OpenSSH client: exec, piped shell (-T) and a PTY (-tt).
let h: Harness
beforeAll(async () => {
  h = await start()
})
afterAll(async () => h.close())

const TOO_LONG = 'line too long (over 8192 bytes); ignored'
/** A PTY session fed from a pipe: the server's line editor gets the bytes as keys. */
const pty = (stdin: string) => ssh(h.port, { args: ['-tt'], stdin: `${stdin}\x04` })

describe('line limits: 8192 bytes of UTF-8 everywhere', () => {
  it('exec: an 8,000-character line of 3-byte characters is refused, not run', async () => {
    const r = await ssh(h.port, { command: `/users add ${'日'.repeat(8000)} pw` })
    expect(r).toMatchObject({ code: 1, stdout: `${TOO_LONG}\n` })
    const ascii = await ssh(h.port, { command: `/users add ${'x'.repeat(8000)} pw` })
    expect(ascii.stdout).toMatch(/^invalid user name/)
  })

  it('exec: 40 KB and 70 KB commands get the refusal; the connection is not dropped', async () => {
    for (const n of [40_000, 70_000]) {
      const r = await ssh(h.port, { command: `/users add ${'x'.repeat(n)} pw` })
      expect(r, `${n}: ${r.stderr}`).toMatchObject({ code: 1, stdout: `${TOO_LONG}\n` })
      expect(r.stderr).not.toMatch(/closed by remote host/)
    }
    expect(h.logs).not.toContain('ssh connection error')
  })

  it('piped shell: the same byte limit, and a 70 KB line is refused cleanly', async () => {
    const r = await ssh(h.port, { args: ['-T'], stdin: `/users add ${'日'.repeat(4000)} pw\n/users add ${'y'.repeat(70_000)} pw\n/store list\n` })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${TOO_LONG}\n${TOO_LONG}\neverlock-system\n`)
  })

  it('PTY: the same byte limit, and a 70 KB line is refused cleanly', async () => {
    const r = await pty(`/users add ${'日'.repeat(4000)} pw\r/users add ${'z'.repeat(70_000)} pw\r/store list\r`)
    expect(r.code).toBe(0)
    expect(r.stdout.split(TOO_LONG)).toHaveLength(3)
    expect(r.stdout).toMatch(/> \/store list\r\neverlock-system\r\n/)
    expect(r.stdout).not.toMatch(/invalid user name/)
  })
})

describe('what was typed is used, or refused naming the character', () => {
  it('exec, piped and PTY: a control character is refused with its code point and position', async () => {
    const expected = 'control character U+0001 (Ctrl-A) at position 14 refused; nothing was run'
    expect(await ssh(h.port, { command: '/users add ab\x01cd pw' })).toMatchObject({ code: 1, stdout: `${expected}\n` })
    const tab = await ssh(h.port, { args: ['-T'], stdin: '/users add tabby "pass\tword"\n' })
    expect(tab.stdout).toMatch(/^control character U\+0009 \(tab\) at position 23 refused/)
    const typed = await pty('/users add tabby "pass\tword"\r')
    expect(typed.stdout).toContain('> /users add tabby "pass?word"\r\ncontrol character U+0009 (tab) at position 23 refused')
    expect(await h.auth.hasUser('abcd')).toBe(false)
    expect(await h.auth.hasUser('tabby')).toBe(false)
  })

  it('exec, piped and PTY: UTF-8 passwords are kept and UTF-8 output is shown', async () => {
    expect(await ssh(h.port, { command: '/users add ute1 "pässwörd 日本語"' })).toMatchObject({ code: 0 })
    expect(await ssh(h.port, { args: ['-T'], stdin: '/users add ute2 "pässwörd 日本語"\n' })).toMatchObject({ code: 0 })
    expect((await pty('/users add ute3 "pässwörd 日本語"\r')).stdout).toContain("user 'ute3' added")
    for (const user of ['ute1', 'ute2', 'ute3']) expect(await h.auth.verifyPassword(user, 'pässwörd 日本語'), user).toBeDefined()
    expect(await ssh(h.port, { command: '/tokens create ute1 label=jürgen' })).toMatchObject({ code: 0 })
    expect((await ssh(h.port, { command: '/tokens list ute1' })).stdout).toMatch(/\sjürgen\s/)
    expect((await ssh(h.port, { command: '/users add 日本語 pw' })).stdout).toMatch(/^invalid user name '日本語'/)
  })

  it('answers with the name as stored', async () => {
    expect(await ssh(h.port, { command: '/users add ANON2 pw' })).toMatchObject({ code: 0, stdout: "user 'anon2' added (names are stored in lower case)\n" })
  })
})
