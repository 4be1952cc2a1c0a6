import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHttpFrontend, isHttpFrontendError, type HttpFrontend } from '@everlock/frontend-http'
import { admin, basic, echoBackend, openSystem, request, type System } from './helpers.js'

let sys: System
let frontend: HttpFrontend
let port: number
let warnings: Array<Record<string, unknown> | undefined>

/** A login form's backend: checks `?user=&password=` with frontend.checkPassword and answers what it said. */
function formBackend(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  frontend.checkPassword(req, url.searchParams.get('user') ?? '', url.searchParams.get('password') ?? '').then(
    (identity) => {
      res.writeHead(identity ? 200 : 401, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(identity ?? null))
    },
    (err: unknown) => {
      res.writeHead(isHttpFrontendError(err) ? (err.code === 'LOGIN_THROTTLED' ? 429 : 503) : 500)
      res.end(isHttpFrontendError(err) ? err.code : String(err))
    },
  )
}

beforeEach(async () => {
  sys = await openSystem()
  await sys.auth.bootstrapAdmin('admin', 'admin-pw')
  await sys.auth.addUser('alice', 'alice-pw', admin)
  await sys.auth.grant('alice', 'http/oci/default', 'reader', admin)
  warnings = []
  frontend = createHttpFrontend({ auth: sys.auth, metrics: { listen: '' }, log: { warn: (_m, fields) => warnings.push(fields) }, throttle: { baseDelayMs: 80, maxDelayMs: 400 } })
  frontend.vhosts.set('login.localhost', { backend: 'test', instance: 'form', accessPath: 'http/test/form', handler: formBackend, authorizesItself: true })
  frontend.vhosts.set('localhost', { backend: 'test', instance: 'default', accessPath: 'http/oci/default', handler: echoBackend('default'), authorizesItself: false })
  port = (await frontend.listen('127.0.0.1:0')).port
})

afterEach(async () => {
  await frontend.close()
  await sys.close()
})

const form = (user: string, password: string) =>
  request(port, { host: 'login.localhost', path: `/?user=${encodeURIComponent(user)}&password=${encodeURIComponent(password)}` })

describe('frontend.checkPassword (login forms)', () => {
  it('verifies a password and caches the success like Basic auth', async () => {
    const ok = await form('alice', 'alice-pw')
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toEqual({ user: 'alice', via: 'password' })
    const runs = sys.kdfRuns
    expect((await form('alice', 'alice-pw')).status).toBe(200)
    expect(sys.kdfRuns).toBe(runs)
  })

  it('throttles wrong passwords per address, sharing the score with Basic auth, and logs them without the password', async () => {
    const first = await form('alice', 'wrong-1')
    const second = await form('alice', 'wrong-2')
    expect([first.status, second.status]).toEqual([401, 401])
    expect(first.ms).toBeGreaterThanOrEqual(75)
    expect(second.ms).toBeGreaterThanOrEqual(155)
    // a Basic failure from the same address now waits longer still: one score for both ways of logging in
    const third = await request(port, { headers: basic('alice', 'wrong-3') })
    expect(third.status).toBe(401)
    expect(third.ms).toBeGreaterThanOrEqual(315)
    expect(warnings[0]).toEqual({ address: '127.0.0.1', scheme: 'form', user: 'alice' })
    expect(JSON.stringify(warnings)).not.toContain('wrong-')
    // a right password is not slowed by the penalty
    const good = await form('alice', 'alice-pw')
    expect(good.status).toBe(200)
    expect(good.ms).toBeLessThan(third.ms)
  })

  it('does not take an API token as the password of a login form', async () => {
    const { secret } = await sys.auth.createToken('alice', { label: 'ci' }, admin)
    expect((await form('alice', secret)).status).toBe(401)
  })

  it('rejects with OPTIONS_INVALID on a frontend without auth', async () => {
    const bare = createHttpFrontend({ metrics: { listen: '' } })
    await expect(bare.checkPassword({} as IncomingMessage, 'a', 'b')).rejects.toMatchObject({ code: 'OPTIONS_INVALID' })
    await bare.close()
  })
})
