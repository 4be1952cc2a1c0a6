// Login sessions, CSRF and cross-site checks, over the real HTTP frontend and real auth-grants (LevelDB).
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basicAuth, loginAs, startGallery, type TestGallery } from './helpers/gallery.js'
import { commitsOf, uploadRaw } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

let g: TestGallery
beforeAll(async () => {
  g = await startGallery({ paused: true })
})
afterAll(() => g.close())

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${g.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const error = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

describe('POST /api/session', () => {
  it('logs a user with reader in: cookie, role, CSRF token, expiry', async () => {
    const { status, body, setCookie } = await loginAs(g.url, 'alice')
    expect(status).toBe(200)
    expect(body).toMatchObject({ user: 'alice', role: 'writer', anonymous: false, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now())
    expect(setCookie).toMatch(/^everlock_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
    expect((await loginAs(g.url, 'rita')).body.role).toBe('reader')
    expect((await loginAs(g.url, 'olga')).body.role).toBe('owner')
  })

  it('tells a wrong password (401 LOGIN_FAILED) from a user without access (403 NO_ACCESS), setting no cookie', async () => {
    const wrong = await loginAs(g.url, 'alice', 'not-it')
    expect([wrong.status, wrong.body.error.code, wrong.setCookie]).toEqual([401, 'LOGIN_FAILED', null])
    const unknown = await loginAs(g.url, 'nobody', 'x')
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'LOGIN_FAILED'])
    const bob = await loginAs(g.url, 'bob')
    expect([bob.status, bob.body.error.code, bob.setCookie]).toEqual([403, 'NO_ACCESS', null])
  })

  it('refuses bad bodies and cross-site login forms', async () => {
    expect(await error(await post('/api/session', { user: 'alice' }))).toBe('BAD_REQUEST')
    expect(await error(await post('/api/session', ['alice', 'alice-pw']))).toBe('BAD_REQUEST')
    const text = await fetch(`${g.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'user=alice' })
    expect([text.status, await error(text)]).toEqual([415, 'CONTENT_TYPE_UNSUPPORTED'])
    const cross = await post('/api/session', { user: 'alice', password: 'alice-pw' }, { Origin: 'https://evil.example' })
    expect([cross.status, await error(cross), cross.headers.get('set-cookie')]).toEqual([403, 'CROSS_SITE', null])
  })
})

describe('GET /api/session', () => {
  it('answers the session user, role and CSRF token; Basic users need no token', async () => {
    const { cookie, csrfToken } = await loginAs(g.url, 'alice')
    const res = await fetch(`${g.url}/api/session`, { headers: { Cookie: cookie } })
    expect(await res.json()).toEqual({ user: 'alice', role: 'writer', anonymous: false, csrfToken })
    const basic = await fetch(`${g.url}/api/session`, { headers: basicAuth('olga') })
    expect(await basic.json()).toEqual({ user: 'olga', role: 'owner', anonymous: false })
  })

  it('answers 401 without a session, with no Basic challenge for the web app (no browser password dialog)', async () => {
    const app = await fetch(`${g.url}/api/session`, { headers: { 'Sec-Fetch-Site': 'same-origin' } })
    expect([app.status, await error(app), app.headers.get('www-authenticate')]).toEqual([401, 'UNAUTHORIZED', null])
    const assets = await fetch(`${g.url}/api/assets`, { headers: { 'Sec-Fetch-Site': 'same-origin' } })
    expect([assets.status, assets.headers.get('www-authenticate')]).toEqual([401, null])
    // other clients still get the challenge
    expect((await fetch(`${g.url}/api/assets`)).headers.get('www-authenticate')).toMatch(/^Basic /)
  })

  it('is a public gallery when anon holds reader: anonymous, no login needed', async () => {
    await g.auth.grant('anon', 'http/image/photos', 'reader', { by: 'admin' })
    try {
      const res = await fetch(`${g.url}/api/session`)
      expect(await res.json()).toEqual({ user: 'anon', role: 'reader', anonymous: true })
      expect((await fetch(`${g.url}/api/assets`)).status).toBe(200)
      // ...but reading is all anon may do
      expect((await post('/api/albums', { title: 'x' })).status).toBe(401)
    } finally {
      await g.auth.revoke('anon', 'http/image/photos', { by: 'admin' })
    }
  })
})

describe('a session that ended elsewhere', () => {
  it('is cleared by GET /api/session, after which a public gallery works again without login', async () => {
    const { cookie } = await loginAs(g.url, 'alice')
    await g.auth.endSession(decodeURIComponent(cookie.slice('everlock_session='.length)))
    const stale = await fetch(`${g.url}/api/session`, { headers: { Cookie: cookie } })
    expect([stale.status, await error(stale)]).toEqual([401, 'UNAUTHORIZED'])
    expect(stale.headers.get('set-cookie')).toBe('everlock_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax')
    await g.auth.grant('anon', 'http/image/photos', 'reader', { by: 'admin' })
    try {
      // with the stale cookie every request fails; without it (what the browser does next) anon reads
      expect((await fetch(`${g.url}/api/assets`, { headers: { Cookie: cookie } })).status).toBe(401)
      expect(((await (await fetch(`${g.url}/api/session`)).json()) as { anonymous: boolean }).anonymous).toBe(true)
    } finally {
      await g.auth.revoke('anon', 'http/image/photos', { by: 'admin' })
    }
  })
})

describe('CSRF protection of session requests', () => {
  it('refuses a changing request authorized by the cookie without the right X-CSRF-Token, and changes nothing', async () => {
    const { cookie, csrfToken } = await loginAs(g.url, 'alice')
    const before = (await commitsOf(g.store)).length
    const none = await post('/api/albums', { title: 'Holidays' }, { Cookie: cookie })
    expect([none.status, await error(none)]).toEqual([403, 'CSRF_FAILED'])
    const other = await loginAs(g.url, 'alice')
    const foreign = await post('/api/albums', { title: 'Holidays' }, { Cookie: cookie, 'X-CSRF-Token': other.csrfToken })
    expect([foreign.status, await error(foreign)]).toEqual([403, 'CSRF_FAILED'])
    const garbage = await post('/api/albums', { title: 'Holidays' }, { Cookie: cookie, 'X-CSRF-Token': 'x' })
    expect(garbage.status).toBe(403)
    const raw = await fetch(`${g.url}/api/assets`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/octet-stream', 'X-Filename': 'a.jpg' }, body: await jpeg({ seed: 5 }) })
    expect([raw.status, await error(raw)]).toEqual([403, 'CSRF_FAILED'])
    expect((await commitsOf(g.store)).length).toBe(before)
    const ok = await post('/api/albums', { title: 'Holidays' }, { Cookie: cookie, 'X-CSRF-Token': csrfToken })
    expect(ok.status).toBe(201)
    expect((await commitsOf(g.store))[0]!.author).toBe('alice')
  })

  it('refuses cross-site changes even with the token: a foreign Origin, Origin null, Sec-Fetch-Site cross-site/same-site', async () => {
    const { cookie, csrfToken } = await loginAs(g.url, 'alice')
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrfToken }
    const extras: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }, { Origin: `${g.url}.evil.example` }]
    for (const extra of extras) {
      const res = await post('/api/albums', { title: 'x' }, { ...headers, ...extra })
      expect([res.status, await error(res)]).toEqual([403, 'CROSS_SITE'])
    }
    // even Basic credentials (which browsers replay cross-site) are refused from another site
    const basic = await post('/api/albums', { title: 'x' }, { ...basicAuth('alice'), Origin: 'https://evil.example' })
    expect(await error(basic)).toBe('CROSS_SITE')
    const same = await post('/api/albums', { title: 'same origin' }, { ...headers, Origin: g.url, 'Sec-Fetch-Site': 'same-origin' })
    expect(same.status).toBe(201)
    // `Host: name:443` and `Origin: https://name` are one site
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${g.url}/api/albums`, { method: 'POST', headers: { ...headers, Host: '127.0.0.1:443', Origin: 'https://127.0.0.1', 'Content-Type': 'application/json' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end(JSON.stringify({ title: 'default port' }))
    })
    expect(status).toBe(201)
  })

  it('lets Basic and Bearer requests change things without a CSRF token', async () => {
    expect((await post('/api/albums', { title: 'by basic' }, basicAuth('alice'))).status).toBe(201)
    const { secret } = await g.auth.createToken('alice', { label: 't' }, { by: 'admin' })
    expect((await post('/api/albums', { title: 'by token' }, { Authorization: `Bearer ${secret}` })).status).toBe(201)
    const up = await uploadRaw(g.url, await jpeg({ seed: 6 }), 'basic.jpg', basicAuth('alice'))
    expect(up.status).toBe(201)
  })
})

describe('DELETE /api/session', () => {
  it('needs the CSRF token, ends the session in auth-grants and clears the cookie', async () => {
    const { cookie, csrfToken } = await loginAs(g.url, 'alice')
    const refused = await fetch(`${g.url}/api/session`, { method: 'DELETE', headers: { Cookie: cookie } })
    expect([refused.status, await error(refused)]).toEqual([403, 'CSRF_FAILED'])
    expect((await fetch(`${g.url}/api/session`, { headers: { Cookie: cookie } })).status).toBe(200)
    const out = await fetch(`${g.url}/api/session`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken } })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toBe('everlock_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax')
    const after = await fetch(`${g.url}/api/session`, { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' } })
    expect([after.status, await error(after)]).toEqual([401, 'UNAUTHORIZED'])
    expect((await post('/api/albums', { title: 'x' }, { Cookie: cookie, 'X-CSRF-Token': csrfToken })).status).toBe(401)
  })
})

describe('without sessions configured', () => {
  it('answers POST /api/session 404 NOT_FOUND', async () => {
    const bare = await startGallery({ paused: true, withSessions: false })
    try {
      const res = await fetch(`${bare.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"user":"alice","password":"alice-pw"}' })
      expect([res.status, await error(res)]).toEqual([404, 'NOT_FOUND'])
    } finally {
      await bare.close()
    }
  })
})

describe('Basic passwords that cannot be checked now', () => {
  it('are answered by the frontend before the library: 429 TOO_MANY_REQUESTS + Retry-After, in JSON with renderJsonError', async () => {
    const busy = await startGallery({ paused: true, throttle: { baseDelayMs: 200, maxDelayMs: 400, maxPending: 1 } })
    try {
      const wrong = (n: number) => fetch(`${busy.url}/api/assets`, { headers: { Authorization: `Basic ${Buffer.from(`alice:wrong-${n}`).toString('base64')}` } })
      expect((await wrong(0)).status).toBe(401)
      const answers = await Promise.all([wrong(1), wrong(2)])
      const refused = answers.find((a) => a.status === 429)!
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await error(refused)).toBe('TOO_MANY_REQUESTS')
      expect(busy.errors).toEqual([])
    } finally {
      await busy.close()
    }
  })
})

describe('web app paths', () => {
  it('hands non-/api/ GETs to serveWebAsset without authorization, and answers 404 for what is not there', async () => {
    const res = await fetch(`${g.url}/app/no-such-file-${Date.now()}.js`)
    expect(res.status).toBe(404)
    const put = await fetch(`${g.url}/albums`, { method: 'PUT', body: 'x' })
    expect(put.status).toBe(404)
  })
})
