import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSshServer } from '@everlock/frontend-ssh'
import { ADMIN_PASSWORD, run, ssh, sshArgs, start, type Harness } from './helpers.js'

let h: Harness
beforeAll(async () => {
  h = await start()
})
afterAll(async () => h.close())

async function keyscanFingerprint(port: number): Promise<string> {
  const scanned = await run('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1'])
  const child = spawn('ssh-keygen', ['-lf', '-'], { stdio: ['pipe', 'pipe', 'ignore'] })
  child.stdin.end(scanned)
  let out = ''
  for await (const chunk of child.stdout) out += chunk
  return out.split(' ')[1]!
}

describe('host key', () => {
  it('is created once with mode 0600 and survives a restart', async () => {
    expect(statSync(h.hostKeyPath).mode & 0o777).toBe(0o600)
    expect(readFileSync(h.hostKeyPath, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/)
    const first = await keyscanFingerprint(h.port)
    expect(first).toBe(h.server.fingerprint)
    // ssh-keygen reads it as the same key
    expect((await run('ssh-keygen', ['-lf', h.hostKeyPath])).split(' ')[1]).toBe(first)
    const again = await createSshServer({ hostKeyPath: h.hostKeyPath, auth: h.auth, interpreter: { session: () => ({ runStream: null as never }) } })
    const { port } = await again.listen('127.0.0.1:0')
    try {
      expect(again.fingerprint).toBe(first)
      expect(await keyscanFingerprint(port)).toBe(first)
    } finally {
      await again.close()
    }
  })
})

describe('public-key login', () => {
  it('logs in with a key added through /users key add, and not with another', async () => {
    const id = join(h.dir, 'id_alice')
    const other = join(h.dir, 'id_other')
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@test', '-f', id])
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])
    await ssh(h.port, { command: '/users add alice alice-pw' })
    expect(await ssh(h.port, { identity: id, user: 'alice', command: '/users list' })).toMatchObject({ code: 255, stdout: '' })
    const pub = readFileSync(`${id}.pub`, 'utf8').trim()
    expect(await ssh(h.port, { command: `/users key add alice ${pub}` })).toMatchObject({ code: 0 })
    const r = await ssh(h.port, { identity: id, user: 'alice', command: '/users grants' })
    expect(r).toMatchObject({ code: 0, stdout: "no grants for 'alice'\n" })
    // the key belongs to alice, not to admin
    expect(await ssh(h.port, { identity: id, user: 'admin', command: '/users list' })).toMatchObject({ code: 255 })
    expect(await ssh(h.port, { identity: other, user: 'alice', command: '/users list' })).toMatchObject({ code: 255 })
  })
})

describe('authentication methods', () => {
  it("answers 'none' with password,publickey", async () => {
    const r = await ssh(h.port, { args: ['-v', '-o', 'PreferredAuthentications=none'], command: '/users list' })
    expect(r.code).toBe(255)
    expect(r.stderr).toMatch(/Authentications that can continue: password,publickey/)
  })
})

describe('failed logins', () => {
  it('are answered more slowly as they repeat from one address', async () => {
    const slow = await start({ failureDelayMs: (n) => 300 * n })
    try {
      const timed = async (): Promise<number> => {
        const t0 = Date.now()
        const r = await ssh(slow.port, { password: 'wrong', command: '/users list' })
        expect(r.code).not.toBe(0)
        return Date.now() - t0
      }
      await timed()
      await timed()
      const third = await timed()
      expect(third).toBeGreaterThanOrEqual(900)
      // a correct password afterwards still works (and resets the count)
      expect(await ssh(slow.port, { password: ADMIN_PASSWORD, command: '/users list' })).toMatchObject({ code: 0 })
    } finally {
      await slow.close()
    }
  })
})

describe('idle sessions', () => {
  it('are closed after idleTimeoutMs without input', async () => {
    const idle = await start({ idleTimeoutMs: 400 })
    try {
      const t0 = Date.now()
      const child = spawn('sshpass', ['-p', ADMIN_PASSWORD, 'ssh', '-T', ...sshArgs(idle.port, ['-o', 'PubkeyAuthentication=no']), 'admin@127.0.0.1'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      child.stdin.write('/users list\n') // stdin stays open: only the server can end this session
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      const code = await new Promise<number | null>((r) => child.on('close', r))
      expect(Date.now() - t0).toBeLessThan(8000)
      expect(out).toMatch(/^admin\s/m)
      expect(code).not.toBeNull()
    } finally {
      await idle.close()
    }
  })
})

describe('connections that never log in', () => {
  it('are closed after loginTimeoutMs', async () => {
    const lazy = await start({ loginTimeoutMs: 300 })
    try {
      const t0 = Date.now()
      const socket = connect(lazy.port, '127.0.0.1')
      let greeting = ''
      socket.on('data', (d) => (greeting += d))
      socket.on('error', () => {})
      await new Promise((r) => socket.on('close', r))
      expect(greeting).toMatch(/^SSH-2\.0-/)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(lazy.logs).toContain('ssh login timeout')
      // a session that did log in is not cut off by the login timer
      const child = spawn('sshpass', ['-p', ADMIN_PASSWORD, 'ssh', '-T', ...sshArgs(lazy.port, ['-o', 'PubkeyAuthentication=no']), 'admin@127.0.0.1'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.stdin.write('/store list\n')
      while (!out.includes('everlock-system')) await new Promise((r) => setTimeout(r, 50))
      await new Promise((r) => setTimeout(r, 600))
      child.stdin.end('/users list\n')
      expect(await new Promise((r) => child.on('close', r))).toBe(0)
      expect(out).toMatch(/^admin\s/m)
    } finally {
      await lazy.close()
    }
  })
})
