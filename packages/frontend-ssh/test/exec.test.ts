import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ssh, start, type Harness } from './helpers.js'

let h: Harness
beforeAll(async () => {
  h = await start()
})
afterAll(async () => h.close())

describe('exec and piped shells with the real OpenSSH client', () => {
  it('runs the seed commands as exec requests, exit status 0', async () => {
    for (const command of ['/users add alice change-me', '/users grant alice http/oci/default writer', '/users grant anon http/oci/default reader']) {
      const r = await ssh(h.port, { command })
      expect(r.code, `${command}: ${r.stderr}`).toBe(0)
    }
    expect(await h.auth.can('alice', 'http/oci/default', 'writer')).toBe(true)
    expect(await h.auth.can('anon', 'http/oci/default', 'reader')).toBe(true)
    const list = await ssh(h.port, { command: '/users list' })
    expect(list).toMatchObject({ code: 0 })
    expect(list.stdout).toMatch(/^alice\s/m)
  })

  it('exits 1 on a failed command and prints its one-line error', async () => {
    expect(await ssh(h.port, { command: '/foo' })).toMatchObject({ code: 1, stdout: "unknown command '/foo' (try /help)\n" })
    expect(await ssh(h.port, { command: '/users grant bob http/oci/default king' })).toMatchObject({
      code: 1, stdout: 'role must be reader, writer or owner\n',
    })
  })

  it('answers plain text with the AI placeholder when no model is configured', async () => {
    expect(await ssh(h.port, { command: 'what is in the registry?' })).toMatchObject({ code: 1, stdout: 'no AI runtime configured\n' })
  })

  it('answers with CRLF when exec asks for a PTY', async () => {
    const r = await ssh(h.port, { args: ['-tt'], command: '/help quit' })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\/quit\s+leave the console\r\n/)
  })

  it('reads a piped shell line by line and exits 0 at EOF', async () => {
    const r = await ssh(h.port, { args: ['-T'], stdin: '/users add bob pw-b\n/users list\n\n/nosuch\n/users grants bob' })
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe("user 'bob' added")
    expect(r.stdout).toMatch(/^bob\s/m)
    expect(r.stdout).toContain("unknown command '/nosuch' (try /help)")
    expect(r.stdout).toContain("no grants for 'bob'")
    expect(r.stdout).not.toContain('Everlock Admin')
  })

  it('stops a piped shell at /quit', async () => {
    const r = await ssh(h.port, { args: ['-T'], stdin: '/quit\n/users add never pw\n' })
    expect(r).toMatchObject({ code: 0, stdout: 'bye\n' })
    expect(await h.auth.hasUser('never')).toBe(false)
  })

  it('refuses a wrong password and anon, and slows failures down', async () => {
    const wrong = await ssh(h.port, { password: 'not-it', command: '/users list' })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stdout).toBe('')
    const anon = await ssh(h.port, { user: 'anon', password: '', command: '/users list' })
    expect(anon.code).not.toBe(0)
    expect(h.logs.filter((l) => l === 'ssh login failed').length).toBeGreaterThanOrEqual(2)
    // who and from where is logged, never the password tried (or any other)
    expect(h.logText()).toMatch(/ssh login failed .*"user":"admin".*"address":"127\.0\.0\.1"/)
    expect(h.logText()).not.toContain('not-it')
    expect(h.logText()).not.toContain('change-me')
  })

  it('refuses admin commands to a non-admin user but lets them list', async () => {
    await ssh(h.port, { command: '/users add carol carol-pw' })
    const add = await ssh(h.port, { user: 'carol', password: 'carol-pw', command: '/users add mallory pw' })
    expect(add).toMatchObject({ code: 1, stdout: 'permission denied: needs owner on */*/*\n' })
    expect(await h.auth.hasUser('mallory')).toBe(false)
    expect(await ssh(h.port, { user: 'carol', password: 'carol-pw', command: '/users list' })).toMatchObject({ code: 0 })
  })
})
