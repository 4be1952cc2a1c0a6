import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHttpFrontend, renderOciError, type Authorize, type HttpFrontend } from '@everlock/frontend-http'
import { admin, basic, echoBackend, openSystem, request, type System } from './helpers.js'

let sys: System
let frontend: HttpFrontend
let port: number
let aliceToken: { id: string; secret: string }
let warnings: Array<Record<string, unknown> | undefined>

beforeEach(async () => {
  sys = await openSystem()
  const { auth } = sys
  await auth.bootstrapAdmin('admin', 'admin-pw')
  await auth.addUser('alice', 'alice-pw', admin)
  await auth.addUser('bob', 'bob-pw', admin)
  await auth.grant('alice', 'http/oci/default', 'writer', admin)
  const created = await auth.createToken('alice', { label: 'ci' }, admin)
  aliceToken = { id: created.info.id, secret: created.secret }
  // small delays so the throttle shows without slowing the suite
  warnings = []
  frontend = createHttpFrontend({ auth, metrics: { listen: '' }, log: { warn: (_msg, fields) => warnings.push(fields) }, realm: 'Everlock test', throttle: { baseDelayMs: 80, maxDelayMs: 400 } })
  frontend.vhosts.set('localhost', {
    backend: 'test',
    instance: 'default',
    accessPath: 'http/oci/default',
    handler: echoBackend('default'),
    authorizesItself: false,
    renderError: renderOciError,
  })
  frontend.vhosts.set('plain.example', {
    backend: 'test',
    instance: 'default',
    accessPath: 'http/oci/default',
    handler: echoBackend('plain'),
    authorizesItself: false,
  })
  port = (await frontend.listen('127.0.0.1:0')).port
})

afterEach(async () => {
  await frontend.close()
  await sys.close()
})

const get = (headers: Record<string, string> = {}, method = 'GET') => request(port, { path: '/v2/', method, headers })

describe('default method → role check', () => {
  it('lets a granted user read and write, with Basic or Bearer', async () => {
    expect((await get(basic('alice', 'alice-pw'))).status).toBe(200)
    expect((await get(basic('Alice', 'alice-pw'), 'PUT')).status).toBe(200)
    expect((await get({ authorization: `Bearer ${aliceToken.secret}` }, 'POST')).status).toBe(200)
    // a token as the Basic password of its own user works, not as another user's
    expect((await get(basic('alice', aliceToken.secret))).status).toBe(200)
    expect((await get(basic('bob', aliceToken.secret))).status).toBe(401)
  })

  it('answers anon 401 with a Basic challenge, in the entry format', async () => {
    const reply = await get()
    expect(reply.status).toBe(401)
    expect(reply.headers['www-authenticate']).toBe('Basic realm="Everlock test"')
    expect(JSON.parse(reply.body).errors[0].code).toBe('UNAUTHORIZED')
    const plain = await request(port, { host: 'plain.example', path: '/' })
    expect(plain.status).toBe(401)
    expect(plain.headers['www-authenticate']).toBe('Basic realm="Everlock test"')
    expect(plain.body).toBe('unauthorized\n')
  })

  it('answers a known user without the role 403 and no challenge', async () => {
    const reply = await get(basic('bob', 'bob-pw'))
    expect(reply.status).toBe(403)
    expect(reply.headers['www-authenticate']).toBeUndefined()
    expect(JSON.parse(reply.body).errors[0].code).toBe('DENIED')
    // alice is writer, DELETE needs owner
    expect((await get(basic('alice', 'alice-pw'), 'DELETE')).status).toBe(403)
  })

  it('never turns bad credentials into anon, even when anon may read', async () => {
    await sys.auth.grant('anon', 'http/oci/default', 'reader', admin)
    expect((await get()).status).toBe(200)
    for (const headers of [
      basic('alice', 'wrong'),
      basic('nobody', 'whatever'),
      { authorization: 'Bearer evl_0000000000000000_nope' },
      { authorization: 'Digest abc' },
      { authorization: 'Basic !!!' },
    ]) {
      const reply = await get(headers)
      expect(reply.status, JSON.stringify(headers)).toBe(401)
      expect(reply.headers['www-authenticate']).toBe('Basic realm="Everlock test"')
    }
  })

  it('refuses a revoked token', async () => {
    const bearer = { authorization: `Bearer ${aliceToken.secret}` }
    expect((await get(bearer)).status).toBe(200)
    await sys.auth.revokeToken(aliceToken.id, admin)
    expect((await get(bearer)).status).toBe(401)
  })

  it('accepts a login session cookie', async () => {
    const session = await sys.auth.createSession('alice')
    expect((await get({ cookie: `other=1; everlock_session=${session.secret}` })).status).toBe(200)
    await sys.auth.endSession(session.secret)
    expect((await get({ cookie: `everlock_session=${session.secret}` })).status).toBe(401)
  })
})

describe('Expect: 100-continue', () => {
  /** Sends headers only, waits for the first answer, sends the body if told to continue. */
  async function upload(headers: Record<string, string>): Promise<string> {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    const head = Object.entries({ host: 'localhost', 'content-length': '5', expect: '100-continue', connection: 'close', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    socket.write(`PUT /v2/x HTTP/1.1\r\n${head}\r\n`)
    socket.on('data', (c: Buffer) => {
      text += c.toString()
      if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !socket.writableEnded) socket.end('hello')
    })
    await new Promise((resolve) => socket.on('close', resolve))
    return text
  }

  it('refuses before the body is sent, and asks for it once the check passed', async () => {
    const refused = await upload({})
    expect(refused).toMatch(/^HTTP\/1\.1 401 /)
    const allowed = await upload(basic('alice', 'alice-pw'))
    expect(allowed).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /)
    expect(allowed).toContain('"body":"hello"')
  })
})

describe('credential cache', () => {
  it('runs the KDF once for repeated Basic requests and again after a password change', async () => {
    const before = sys.kdfRuns
    for (let i = 0; i < 5; i++) expect((await get(basic('alice', 'alice-pw'))).status).toBe(200)
    expect(sys.kdfRuns - before).toBe(1)
    await sys.auth.setPassword('alice', 'new-pw', admin)
    expect((await get(basic('alice', 'alice-pw'))).status).toBe(401)
    expect((await get(basic('alice', 'new-pw'))).status).toBe(200)
    expect((await get(basic('alice', 'new-pw'))).status).toBe(200)
    expect(sys.kdfRuns - before).toBe(3)
  })

  it('drops entries when the user is deleted', async () => {
    expect((await get(basic('alice', 'alice-pw'))).status).toBe(200)
    expect(frontend.credentialCache?.size).toBe(1)
    await sys.auth.deleteUser('alice', admin)
    expect(frontend.credentialCache?.size).toBe(0)
    expect((await get(basic('alice', 'alice-pw'))).status).toBe(401)
  })

  it('shares one KDF run among concurrent requests with the same credentials', async () => {
    const before = sys.kdfRuns
    const replies = await Promise.all(Array.from({ length: 8 }, () => get(basic('alice', 'alice-pw'))))
    expect(replies.every((r) => r.status === 200)).toBe(true)
    expect(sys.kdfRuns - before).toBe(1)
  })

  it('checks credentials once per request when a backend authorizes twice (mount)', async () => {
    let authorize: Authorize
    const seen: unknown[] = []
    frontend.vhosts.set('mount.example', {
      backend: 'test',
      instance: 'default',
      accessPath: 'http/oci/default',
      authorizesItself: true,
      handler: async (req: IncomingMessage, res: ServerResponse) => {
        seen.push(await authorize(req, { path: 'team-a/source', role: 'reader' }))
        seen.push(await authorize(req, { path: 'team-b/target', role: 'writer' }))
        res.end('done')
      },
    })
    authorize = frontend.authorizer('http/oci/default')
    frontend.credentialCache?.clear()
    const before = sys.kdfRuns
    expect((await request(port, { host: 'mount.example', headers: basic('alice', 'alice-pw') })).body).toBe('done')
    expect(sys.kdfRuns - before).toBe(1)
    expect(seen).toEqual([
      { ok: true, identity: { user: 'alice', via: 'password' } },
      { ok: true, identity: { user: 'alice', via: 'password' } },
    ])
  })
})

describe('finer needs from a backend', () => {
  it('checks grants below the instance path', async () => {
    await sys.auth.grant('bob', 'http/oci/default/team-b', 'writer', admin)
    const authorize = frontend.authorizer('http/oci/default')
    const results: Record<string, unknown> = {}
    frontend.vhosts.set('fine.example', {
      backend: 'test',
      instance: 'default',
      accessPath: 'http/oci/default',
      authorizesItself: true,
      handler: async (req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').searchParams.get('repo') ?? ''
        const result = await authorize(req, { path, role: 'writer' })
        res.end(JSON.stringify(result))
      },
    })
    const ask = async (repo: string, headers: Record<string, string>) =>
      JSON.parse((await request(port, { host: 'fine.example', path: `/?repo=${repo}`, headers })).body)
    expect(await ask('team-b/app', basic('bob', 'bob-pw'))).toMatchObject({ ok: true, identity: { user: 'bob' } })
    expect(await ask('team-a/app', basic('bob', 'bob-pw'))).toEqual({ ok: false, status: 403 })
    expect(await ask('', basic('bob', 'bob-pw'))).toEqual({ ok: false, status: 403 })
    expect(await ask('team-a/app', {})).toEqual({ ok: false, status: 401, challenge: 'Basic realm="Everlock test"' })
  })

  it('rejects a malformed need path with NEED_INVALID', async () => {
    const authorize = frontend.authorizer('http/oci/default')
    const req = { headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
    await expect(authorize(req, { path: '../x', role: 'reader' })).rejects.toMatchObject({ code: 'NEED_INVALID' })
    expect(() => frontend.authorizer('not a path')).toThrow(expect.objectContaining({ code: 'ACCESS_PATH_INVALID' }))
  })
})

describe('failed-login throttling', () => {
  it('never refuses a correct password because a stranger failed from the same address (issue 9.1)', async () => {
    // the real KDF cost (N=2^15, ~0.1 s): the check is still running when the other requests arrive
    const real = await openSystem(2 ** 15)
    const nat = createHttpFrontend({ auth: real.auth, metrics: { listen: '' }, throttle: { baseDelayMs: 80, maxDelayMs: 400 } })
    try {
      await real.auth.bootstrapAdmin('admin', 'admin-pw')
      await real.auth.addUser('carol', 'carol-pw', admin)
      await real.auth.grant('carol', 'http/oci/default', 'writer', admin)
      nat.vhosts.set('localhost', { backend: 'test', instance: 'default', accessPath: 'http/oci/default', handler: echoBackend('nat'), authorizesItself: false })
      const natPort = (await nat.listen('127.0.0.1:0')).port
      // a stranger behind the same NAT: one wrong password
      expect((await request(natPort, { path: '/v2/', headers: basic('carol', 'guess') })).status).toBe(401)
      // then carol's client pushes layers in parallel, on a cache miss (after a password change or the 60 s expiry)
      const before = real.kdfRuns
      const replies = await Promise.all(Array.from({ length: 40 }, () => request(natPort, { path: '/v2/', method: 'PUT', headers: basic('carol', 'carol-pw') })))
      expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200))
      expect(real.kdfRuns - before).toBe(1) // identical credentials share one check
    } finally {
      await nat.close()
      await real.close()
    }
  })

  it('counts concurrent requests with the same wrong password as one failure', async () => {
    const before = sys.kdfRuns
    const replies = await Promise.all(Array.from({ length: 8 }, () => get(basic('alice', 'stale-pw'))))
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(401))
    expect(sys.kdfRuns - before).toBe(1)
    expect(warnings).toHaveLength(1)
    expect(frontend.throttle.peek('127.0.0.1')).toBeLessThan(200) // a second failure would wait 160 ms, not a ninth's 400
  })

  it('slows each further wrong attempt from an address, but not a good login', async () => {
    const first = await get(basic('alice', 'wrong-1'))
    const second = await get(basic('alice', 'wrong-2'))
    const third = await get(basic('alice', 'wrong-3'))
    expect([first.status, second.status, third.status]).toEqual([401, 401, 401])
    expect(first.ms).toBeGreaterThanOrEqual(75)
    expect(second.ms).toBeGreaterThanOrEqual(155)
    expect(third.ms).toBeGreaterThanOrEqual(315)
    expect(second.ms).toBeGreaterThan(first.ms)
    // failures are logged with who and where from, never the password
    expect(warnings[0]).toEqual({ address: '127.0.0.1', scheme: 'basic', user: 'alice' })
    expect(JSON.stringify(warnings)).not.toContain('wrong-')
    expect(frontend.throttle.peek('127.0.0.1')).toBeGreaterThanOrEqual(400)
    const good = await get(basic('alice', 'alice-pw'))
    expect(good.status).toBe(200)
    expect(good.ms).toBeLessThan(first.ms)
  })

  it('makes parallel guessing from a penalised address no faster than serial', async () => {
    await get(basic('alice', 'wrong-1'))
    await get(basic('alice', 'wrong-2')) // score ~2: the next failures wait 320, 400, 400 ms (cap)
    const started = performance.now()
    const replies = await Promise.all([1, 2, 3].map((i) => get(basic('alice', `parallel-${i}`))))
    const elapsed = performance.now() - started
    expect(replies.map((r) => r.status)).toEqual([401, 401, 401])
    expect(elapsed).toBeGreaterThanOrEqual(1100) // one at a time, not ~400 ms together
    // and a good login afterwards goes straight through
    expect((await get(basic('alice', 'alice-pw'))).status).toBe(200)
  })

  it('answers 429 + Retry-After beyond the pending checks of a penalised address, never 401 to a right password', async () => {
    const busy = createHttpFrontend({
      auth: sys.auth,
      metrics: { listen: '' },
      // ttlMs 0: every request is a cache miss, as after the 60 s expiry
      credentialCache: { ttlMs: 0 },
      throttle: { baseDelayMs: 300, maxDelayMs: 300, maxPending: 2 },
    })
    busy.vhosts.set('localhost', { backend: 'test', instance: 'default', accessPath: 'http/oci/default', handler: echoBackend('b'), authorizesItself: false, renderError: renderOciError })
    const { port: busyPort } = await busy.listen('127.0.0.1:0')
    const ask = (user: string, password: string) => request(busyPort, { path: '/v2/', headers: basic(user, password) })
    try {
      expect((await ask('alice', 'alice-pw')).status).toBe(200) // alice's password is now known as good
      expect((await ask('alice', 'guess-0')).status).toBe(401) // the address is penalised
      // two distinct guesses pending: each answers in turn, 300 ms apart
      const guesses = Promise.all([ask('alice', 'guess-1'), ask('alice', 'guess-2')])
      while (busy.throttle.pending('127.0.0.1') < 2) await new Promise((r) => setTimeout(r, 5))
      const third = await ask('alice', 'guess-3')
      expect(third.status).toBe(429)
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(JSON.parse(third.body).errors[0].code).toBe('TOOMANYREQUESTS')
      // a password never seen is not checked now either, but it is told to retry, not that it is wrong
      const bob = await ask('bob', 'bob-pw')
      expect([bob.status, JSON.parse(bob.body).errors[0].code]).toEqual([429, 'TOOMANYREQUESTS'])
      // a password that verified before passes the line (its check still runs)
      expect((await ask('alice', 'alice-pw')).status).toBe(200)
      expect((await guesses).map((r) => r.status)).toEqual([401, 401])
      expect((await ask('bob', 'bob-pw')).status).toBe(403) // checked now: right password, no grant
      expect(busy.metricsText()).toContain('everlock_http_login_refusals_total{reason="throttled"} 2')
    } finally {
      await busy.close()
    }
  })

  it('answers 503 + Retry-After when the server-wide bound on password checks is reached', async () => {
    const real = await openSystem(2 ** 15)
    const loaded = createHttpFrontend({ auth: real.auth, metrics: { listen: '' }, credentialCache: { maxChecks: 1 } })
    try {
      await real.auth.bootstrapAdmin('admin', 'admin-pw')
      await real.auth.addUser('carol', 'carol-pw', admin)
      await real.auth.addUser('dave', 'dave-pw', admin)
      await real.auth.grant('dave', 'http/oci/default', 'reader', admin)
      loaded.vhosts.set('localhost', { backend: 'test', instance: 'default', accessPath: 'http/oci/default', handler: echoBackend('l'), authorizesItself: false })
      const { port: loadedPort } = await loaded.listen('127.0.0.1:0')
      const holding = loaded.credentialCache!.verifyPassword('carol', 'carol-pw') // takes the one slot for a KDF run (~0.1 s)
      const refused = await request(loadedPort, { path: '/', headers: basic('dave', 'dave-pw') })
      expect([refused.status, refused.headers['retry-after'], refused.body]).toEqual([503, '1', 'unavailable\n'])
      expect(loaded.metricsText()).toContain('everlock_http_login_refusals_total{reason="overloaded"} 1')
      expect(await holding).toMatchObject({ user: 'carol' })
      expect((await request(loadedPort, { path: '/', headers: basic('dave', 'dave-pw') })).status).toBe(200)
    } finally {
      await loaded.close()
      await real.close()
    }
  })
})

describe('throttle keys', () => {
  it('counts IPv6 failures per /64 and IPv4 per address', async () => {
    const { createLoginThrottle } = await import('@everlock/frontend-http')
    const throttle = createLoginThrottle({ baseDelayMs: 10, maxDelayMs: 1000 })
    await throttle.failure('2001:db8:1:2::1')
    expect(throttle.peek('2001:0db8:0001:0002:ffff::9')).toBeGreaterThan(19) // same /64: a second failure
    expect(throttle.peek('2001:db8:1:3::1')).toBeLessThan(11) // another /64: a first one
    await throttle.failure('10.0.0.1')
    expect(throttle.peek('10.0.0.1')).toBeGreaterThan(19)
    expect(throttle.peek('10.0.0.2')).toBeLessThan(11)
    expect(throttle.size).toBe(2)
  })
})

describe('behind a proxy', () => {
  it('counts failures per X-Forwarded-For client when trustProxy is set', async () => {
    const proxied = createHttpFrontend({ auth: sys.auth, metrics: { listen: '' }, trustProxy: 'loopback', throttle: { baseDelayMs: 80, maxDelayMs: 400 } })
    proxied.vhosts.set('localhost', { backend: 'test', instance: 'default', accessPath: 'http/oci/default', handler: echoBackend('p'), authorizesItself: false })
    const { port: proxiedPort } = await proxied.listen('127.0.0.1:0')
    try {
      const from = (client: string) => ({ ...basic('alice', 'wrong'), 'x-forwarded-for': client })
      await request(proxiedPort, { path: '/', headers: from('203.0.113.7') })
      expect(proxied.throttle.peek('203.0.113.7')).toBeGreaterThan(150)
      expect(proxied.throttle.peek('127.0.0.1')).toBeLessThan(90) // the proxy itself is not penalised
      const other = await request(proxiedPort, { path: '/', headers: from('198.51.100.1') })
      expect(other.status).toBe(401)
      expect(other.ms).toBeLessThan(158) // a first failure for that client (80 ms), not a second (160 ms)
    } finally {
      await proxied.close()
    }
  })
})
