// Web app login sessions (the media library's) over real auth-grants (LevelDB store) and a real HTTP frontend.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createHttpFrontend, createWebSessions, csrfTokenOf, defaultIsSecure, type HttpFrontend, type LoginThrottleOptions, type WebSessions } from '@everlock/frontend-http'

const ACCESS = 'http/image/photos'
const admin = { by: 'admin' }
let dir: string
let stores: Stores
let auth: Auth
let frontend: HttpFrontend
let sessions: WebSessions
let base: string

/** A tiny app around the sessions: /login, /whoami (the frontend's own authorizer), /csrf, /logout. */
function app(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
  const run = async () => {
    switch (url.pathname) {
      case '/login': {
        const result = await sessions.login(req, url.searchParams.get('user')!, url.searchParams.get('password')!)
        return result.ok ? send(200, result, { 'Set-Cookie': result.cookie }) : send(result.status, result)
      }
      case '/whoami': {
        const result = await frontend.authorizer(ACCESS)(req, { path: '', role: 'reader' })
        return send(result.ok ? 200 : result.status, result)
      }
      case '/csrf':
        return send(200, { csrfToken: sessions.csrfTokenFor(req) ?? null })
      case '/logout': {
        const { cookie } = await sessions.logout(req)
        return send(200, {}, { 'Set-Cookie': cookie })
      }
    }
    send(404, {})
  }
  run().catch((err: unknown) => send(500, { error: String(err) }))
}

async function start(ttlMs?: number, throttle: LoginThrottleOptions = { baseDelayMs: 60, maxDelayMs: 300 }) {
  frontend = createHttpFrontend({ auth, metrics: { listen: '' }, throttle })
  sessions = createWebSessions({ auth, frontend, accessPath: ACCESS, ...(ttlMs !== undefined ? { ttlMs } : {}) })
  frontend.vhosts.set('127.0.0.1', { backend: 'image', instance: 'photos', accessPath: ACCESS, handler: app, authorizesItself: true })
  base = `http://127.0.0.1:${(await frontend.listen('127.0.0.1:0')).port}`
}

const get = (path: string, cookie?: string) => fetch(`${base}${path}`, { headers: { ...(cookie ? { Cookie: cookie } : {}) } })
const login = (user: string, password: string) => get(`/login?user=${encodeURIComponent(user)}&password=${encodeURIComponent(password)}`)
/** `name=value` of a Set-Cookie. */
const pair = (setCookie: string | null) => setCookie!.split(';')[0]!

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'everlock-image-sessions-'))
  stores = await openStores({ dir })
  auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 2 ** 10 } })
  await auth.bootstrapAdmin('admin', 'admin-pw')
  await auth.addUser('alice', 'alice-pw', admin)
  await auth.addUser('bob', 'bob-pw', admin)
  await auth.grant('alice', ACCESS, 'writer', admin)
  await auth.grant('bob', 'http/image/other', 'owner', admin)
})

afterEach(async () => {
  await frontend.close()
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

describe('image sessions', () => {
  it('logs a reader in: an HttpOnly SameSite=Lax cookie the frontend accepts, the role, a CSRF token bound to the session', async () => {
    await start()
    const res = await login('alice', 'alice-pw')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { user: string; role: string; csrfToken: string; expiresAt: string }
    expect(body).toMatchObject({ ok: true, user: 'alice', role: 'writer' })
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^everlock_session=evs_[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1])
    expect(maxAge).toBeGreaterThan(12 * 3600 - 60)
    expect(maxAge).toBeLessThanOrEqual(12 * 3600)
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan((12 * 3600 - 60) * 1000)
    const cookie = pair(setCookie)
    const who = await get('/whoami', cookie)
    expect(who.status).toBe(200)
    expect(((await who.json()) as { identity: unknown }).identity).toEqual({ user: 'alice', via: 'session' })
    // the token is what csrfTokenFor derives from the cookie, and differs between sessions
    expect(((await (await get('/csrf', cookie)).json()) as { csrfToken: string }).csrfToken).toBe(body.csrfToken)
    const again = (await (await login('alice', 'alice-pw')).json()) as { csrfToken: string }
    expect(again.csrfToken).not.toBe(body.csrfToken)
    expect(((await (await get('/csrf')).json()) as { csrfToken: unknown }).csrfToken).toBeNull()
  })

  it('answers a wrong password LOGIN_FAILED after the throttle delay, and a user without reader NO_ACCESS', async () => {
    await start()
    const wrong = performance.now()
    const res = await login('alice', 'nope')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ ok: false, status: 401, code: 'LOGIN_FAILED' })
    expect(performance.now() - wrong).toBeGreaterThanOrEqual(55)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect((await login('nobody', 'x')).status).toBe(401)
    const bob = await login('bob', 'bob-pw')
    expect(bob.status).toBe(403)
    expect(await bob.json()).toEqual({ ok: false, status: 403, code: 'NO_ACCESS' })
    expect(bob.headers.get('set-cookie')).toBeNull()
    // a grant to anon (a public gallery) is reader enough for anyone with a password
    await auth.grant('anon', ACCESS, 'reader', admin)
    expect(((await (await login('bob', 'bob-pw')).json()) as { role: string }).role).toBe('reader')
  })

  it('answers TOO_MANY_REQUESTS with a retry time when a penalised address guesses in parallel', async () => {
    await start(undefined, { baseDelayMs: 200, maxDelayMs: 400, maxPending: 1 })
    expect((await login('alice', 'wrong-0')).status).toBe(401)
    const answers = await Promise.all([login('alice', 'wrong-1'), login('alice', 'wrong-2')])
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses).toEqual([401, 429])
    const refused = answers.find((a) => a.status === 429)!
    expect(await refused.json()).toMatchObject({ ok: false, code: 'TOO_MANY_REQUESTS', retryAfter: expect.any(Number) })
  })

  it('logs out: the session ends in auth-grants and the cookie is cleared', async () => {
    await start()
    const cookie = pair((await login('alice', 'alice-pw')).headers.get('set-cookie'))
    const out = await get('/logout', cookie)
    expect(out.headers.get('set-cookie')).toBe('everlock_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax')
    expect((await get('/whoami', cookie)).status).toBe(401)
    // logging out without a session is harmless
    expect((await get('/logout')).status).toBe(200)
  })

  it('sessions expire with their lifetime', async () => {
    await start(1500)
    const res = await login('alice', 'alice-pw')
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=1;/)
    const cookie = pair(res.headers.get('set-cookie'))
    expect((await get('/whoami', cookie)).status).toBe(200)
    await new Promise((r) => setTimeout(r, 1600))
    expect((await get('/whoami', cookie)).status).toBe(401)
  })

  it('marks the cookie Secure when the request came over TLS', async () => {
    await start()
    // a request as a TLS socket delivers it (what the frontend's HTTPS listener hands over)
    const tlsReq = { headers: {}, socket: { encrypted: true, remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
    const result = await sessions.login(tlsReq, 'alice', 'alice-pw')
    const secure = sessions
    expect(result.ok && result.cookie).toMatch(/; HttpOnly; SameSite=Lax; Secure$/)
    expect((await secure.logout(tlsReq)).cookie).toMatch(/Max-Age=0; HttpOnly; SameSite=Lax; Secure$/)
    // behind a proxy Express decides (trust proxy): req.secure wins over the socket
    expect(defaultIsSecure({ secure: true, socket: {} } as unknown as IncomingMessage)).toBe(true)
    expect(defaultIsSecure({ secure: false, socket: { encrypted: true } } as unknown as IncomingMessage)).toBe(false)
    expect(defaultIsSecure({ socket: {} } as unknown as IncomingMessage)).toBe(false)
    expect(csrfTokenOf('a')).not.toBe(csrfTokenOf('b'))
  })
})
