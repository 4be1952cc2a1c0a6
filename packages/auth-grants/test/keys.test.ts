import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSshPublicKey } from '@everlock/auth-grants'
import { admin, openSystem, type System } from './helpers'

/** Real keys from the real ssh-keygen, with the fingerprint it prints. */
interface RealKey {
  line: string
  fingerprint: string
}
const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'))
function keygen(name: string, args: string[]): RealKey {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@test host`, '-f', file, ...args])
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!
  return { line: readFileSync(`${file}.pub`, 'utf8').trim(), fingerprint }
}
const keys = {
  ed25519: keygen('ed', ['-t', 'ed25519']),
  ed25519b: keygen('ed2', ['-t', 'ed25519']),
  rsa: keygen('rsa', ['-t', 'rsa', '-b', '2048']),
  ecdsa256: keygen('ec256', ['-t', 'ecdsa', '-b', '256']),
  ecdsa384: keygen('ec384', ['-t', 'ecdsa', '-b', '384']),
  ecdsa521: keygen('ec521', ['-t', 'ecdsa', '-b', '521']),
}
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseSshPublicKey', () => {
  it.each(Object.entries(keys))('%s: type, comment and the fingerprint ssh-keygen prints', (_, key) => {
    const parsed = parseSshPublicKey(`${key.line}\n`)
    expect(parsed.type).toBe(key.line.split(' ')[0])
    expect(parsed.fingerprint).toBe(key.fingerprint)
    expect(parsed.comment).toMatch(/@test host$/)
    expect(parsed.line).toBe(key.line)
  })

  it('refuses malformed keys with KEY_INVALID', () => {
    const [, edData] = keys.ed25519.line.split(' ')
    const [, rsaData] = keys.rsa.line.split(' ')
    const weakRsa = execFileSync('ssh-keygen', ['-q', '-N', '', '-t', 'rsa', '-b', '1024', '-f', join(dir, 'weak')]) && readFileSync(join(dir, 'weak.pub'), 'utf8')
    const bad = [
      '',
      'ssh-ed25519',
      `ssh-rsa ${edData}`, // blob says ed25519
      `ssh-ed25519 ${rsaData}`,
      `ssh-ed25519 ${edData!.slice(0, -4)}`, // truncated
      `ssh-ed25519 ${edData}AAAA`, // trailing bytes
      `ssh-dss ${edData}`,
      `ssh-ed25519 not*base64`,
      `command="x" ${keys.ed25519.line}`,
      `${keys.ed25519.line}\n${keys.rsa.line}`,
      weakRsa,
      42,
    ]
    for (const input of bad) expect(() => parseSshPublicKey(input)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }))
  })
})

describe('SSH keys per user', () => {
  let sys: System
  beforeAll(async () => {
    sys = await openSystem()
    await sys.auth.addUser('alice', 'pw', admin)
    await sys.auth.addUser('bob', 'pw', admin)
  })
  afterAll(() => sys.close())

  it('adds, lists, verifies and deletes keys', async () => {
    const info = await sys.auth.addKey('alice', keys.ed25519.line, admin)
    expect(info).toMatchObject({ user: 'alice', publicKey: keys.ed25519.line, fingerprint: keys.ed25519.fingerprint })
    const rsa = await sys.auth.addKey('ALICE', keys.rsa.line, admin)
    expect(await sys.auth.listKeys('alice')).toHaveLength(2)
    expect(await sys.auth.listKeys('bob')).toEqual([])

    const { type, blob } = parseSshPublicKey(keys.ed25519.line)
    expect(await sys.auth.verifyPublicKey('alice', type, blob)).toEqual({ user: 'alice', via: 'publickey' })
    expect(await sys.auth.verifyPublicKey('bob', type, blob)).toBeUndefined()
    expect(await sys.auth.verifyPublicKey('alice', 'ssh-rsa', blob)).toBeUndefined()
    expect(await sys.auth.verifyPublicKey('alice', type, parseSshPublicKey(keys.ed25519b.line).blob)).toBeUndefined()
    expect(await sys.auth.verifyPublicKey('anon', type, blob)).toBeUndefined()

    await sys.auth.deleteKey('alice', info.fingerprint, admin)
    await sys.auth.deleteKey('alice', rsa.id, admin)
    expect(await sys.auth.verifyPublicKey('alice', type, blob)).toBeUndefined()
    expect(await sys.auth.listKeys()).toEqual([])
  })

  it('one key belongs to one user; bad input has codes', async () => {
    await sys.auth.addKey('bob', keys.ecdsa256.line, admin)
    await expect(sys.auth.addKey('alice', keys.ecdsa256.line, admin)).rejects.toMatchObject({ code: 'KEY_EXISTS' })
    await expect(sys.auth.addKey('alice', 'ssh-ed25519 AAAA', admin)).rejects.toMatchObject({ code: 'KEY_INVALID' })
    await expect(sys.auth.addKey('ghost', keys.ecdsa384.line, admin)).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
    await expect(sys.auth.addKey('anon', keys.ecdsa384.line, admin)).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.deleteKey('alice', keys.ecdsa256.fingerprint, admin)).rejects.toMatchObject({ code: 'KEY_UNKNOWN' })
  })

  it('keys go with their user', async () => {
    await sys.auth.addUser('carol', 'pw', admin)
    await sys.auth.addKey('carol', keys.ecdsa521.line, admin)
    await sys.auth.deleteUser('carol', admin)
    expect(await sys.auth.listKeys('carol')).toEqual([])
    await sys.auth.addUser('carol', 'pw', admin)
    const { type, blob } = parseSshPublicKey(keys.ecdsa521.line)
    expect(await sys.auth.verifyPublicKey('carol', type, blob)).toBeUndefined()
  })
})
