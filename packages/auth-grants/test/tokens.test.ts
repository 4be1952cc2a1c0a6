import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuthEvent } from '@everlock/auth-grants'
import { admin, openSystem, type System } from './helpers'

let clock = Date.parse('2026-01-01T00:00:00Z')
let sys: System
beforeEach(async () => {
  clock = Date.parse('2026-01-01T00:00:00Z')
  sys = await openSystem({ now: () => clock })
  await sys.auth.addUser('alice', 'pw', admin)
})
afterEach(() => sys.close())

const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')

describe('API tokens', () => {
  it('resolve to their user; the secret is shown once and stored hashed', async () => {
    const { info, secret } = await sys.auth.createToken('alice', { label: 'ci push' }, { by: 'alice' })
    expect(secret).toMatch(/^evl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    expect(info).toEqual({ id: secret.slice(4, 20), user: 'alice', label: 'ci push', createdAt: '2026-01-01T00:00:00.000Z' })
    expect(await sys.auth.verifyToken(secret)).toEqual({ user: 'alice', via: 'token' })
    expect(await sys.auth.listTokens('alice')).toEqual([info])
    expect(await sys.auth.listTokens('bob')).toEqual([])
    const entry = await sys.store.get(`tokens/${info.id}.json`)
    const chunks: Buffer[] = []
    for await (const c of await sys.store.getBlob(entry!.digest)) chunks.push(c as Buffer)
    const stored = Buffer.concat(chunks).toString('utf8')
    expect(stored).not.toContain(secret.slice(21))
    expect(JSON.parse(stored).hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('garbled, forged and unknown tokens verify to undefined', async () => {
    const { secret } = await sys.auth.createToken('alice', {}, admin)
    for (const bad of ['', 'evl_', secret.slice(0, -1), `${secret}x`, flip(secret), secret.replace('evl_', 'evs_'),
      `evl_ffffffffffffffff_${secret.slice(21)}`, 'Basic abc', 'evl_0123456789abcdef_' + 'A'.repeat(43)]) {
      expect(await sys.auth.verifyToken(bad)).toBeUndefined()
    }
  })

  it('expire', async () => {
    const { info, secret } = await sys.auth.createToken('alice', { expiresAt: new Date(clock + 60_000) }, admin)
    expect(info.expiresAt).toBe('2026-01-01T00:01:00.000Z')
    expect(await sys.auth.verifyToken(secret)).toBeDefined()
    clock += 60_000
    expect(await sys.auth.verifyToken(secret)).toBeUndefined()
    await expect(sys.auth.createToken('alice', { expiresAt: new Date(clock) }, admin)).rejects.toMatchObject({ code: 'EXPIRY_INVALID' })
    await expect(sys.auth.createToken('alice', { expiresAt: new Date(NaN) }, admin)).rejects.toMatchObject({ code: 'EXPIRY_INVALID' })
  })

  it('revoke, with an event; revoking again is TOKEN_UNKNOWN', async () => {
    const events: AuthEvent[] = []
    sys.auth.onChange((e) => events.push(e))
    const a = await sys.auth.createToken('alice', { label: 'a' }, admin)
    const b = await sys.auth.createToken('alice', { label: 'b' }, admin)
    await sys.auth.revokeToken(a.info.id, admin)
    expect(await sys.auth.verifyToken(a.secret)).toBeUndefined()
    expect(await sys.auth.verifyToken(b.secret)).toBeDefined()
    expect(events).toEqual([{ type: 'token-revoked', user: 'alice', tokenId: a.info.id }])
    await expect(sys.auth.revokeToken(a.info.id, admin)).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN' })
    await expect(sys.auth.revokeToken('../../x', admin)).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN' })
    expect((await sys.auth.listTokens()).map((t) => t.label)).toEqual(['b'])
  })

  it('die with their user', async () => {
    const { secret } = await sys.auth.createToken('alice', {}, admin)
    await sys.auth.deleteUser('alice', admin)
    expect(await sys.auth.verifyToken(secret)).toBeUndefined()
    await sys.auth.addUser('alice', 'pw', admin)
    expect(await sys.auth.verifyToken(secret)).toBeUndefined()
    expect(await sys.auth.listTokens()).toEqual([])
  })

  it('need an existing user', async () => {
    await expect(sys.auth.createToken('ghost', {}, admin)).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
  })
})

describe('login sessions', () => {
  it('live in side state, not in commits, and resolve to their user until they expire', async () => {
    const seq = (await sys.store.head())!.seq
    const s = await sys.auth.createSession('alice', { ttlMs: 1000 })
    expect(s.secret).toMatch(/^evs_[0-9a-f]{16}_/)
    expect(s.expiresAt).toBe('2026-01-01T00:00:01.000Z')
    expect((await sys.store.head())!.seq).toBe(seq)
    const raw = await sys.store.state.get(`auth/sessions/${s.id}`)
    expect(raw).toBeDefined()
    expect(raw).not.toContain(s.secret.slice(21))
    expect(await sys.auth.verifySession(s.secret)).toEqual({ user: 'alice', via: 'session' })
    expect(await sys.auth.verifySession(flip(s.secret))).toBeUndefined()
    clock += 1000
    expect(await sys.auth.verifySession(s.secret)).toBeUndefined()
    expect(await sys.store.state.get(`auth/sessions/${s.id}`)).toBeUndefined()
  })

  it('end on logout, password change and user deletion', async () => {
    const a = await sys.auth.createSession('alice')
    await sys.auth.endSession(a.secret)
    await sys.auth.endSession(a.secret)
    expect(await sys.auth.verifySession(a.secret)).toBeUndefined()

    const b = await sys.auth.createSession('alice')
    await sys.auth.setPassword('alice', 'new', admin)
    expect(await sys.auth.verifySession(b.secret)).toBeUndefined()

    const c = await sys.auth.createSession('alice')
    await sys.auth.deleteUser('alice', admin)
    await sys.auth.addUser('alice', 'pw', admin)
    expect(await sys.auth.verifySession(c.secret)).toBeUndefined()
  })

  it('sweep removes only expired sessions', async () => {
    await sys.auth.createSession('alice', { ttlMs: 1000 })
    await sys.auth.createSession('alice', { ttlMs: 1000 })
    const long = await sys.auth.createSession('alice', { ttlMs: 60_000 })
    clock += 2000
    expect(await sys.auth.sweepSessions()).toBe(2)
    expect(await sys.auth.verifySession(long.secret)).toBeDefined()
  })

  it('refuse unknown users, anon and silly lifetimes; garbage verifies to undefined', async () => {
    await expect(sys.auth.createSession('ghost')).rejects.toMatchObject({ code: 'USER_UNKNOWN' })
    await expect(sys.auth.createSession('anon')).rejects.toMatchObject({ code: 'USER_BUILTIN' })
    await expect(sys.auth.createSession('alice', { ttlMs: 0 })).rejects.toMatchObject({ code: 'EXPIRY_INVALID' })
    await expect(sys.auth.createSession('alice', { ttlMs: Infinity })).rejects.toMatchObject({ code: 'EXPIRY_INVALID' })
    for (const bad of ['', 'evs_x', 'evs_0123456789abcdef_' + 'A'.repeat(43), 'evl_0123456789abcdef_' + 'A'.repeat(43)]) {
      expect(await sys.auth.verifySession(bad)).toBeUndefined()
    }
  })
})
