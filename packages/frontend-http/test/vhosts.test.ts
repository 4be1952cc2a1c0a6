import { afterEach, describe, expect, it } from 'vitest'
import { createHttpFrontend, createVhostTable, hostKey, type HttpFrontend, type VhostEntry } from '@everlock/frontend-http'
import { echoBackend, rawRequest, request } from './helpers.js'

const entry = (name: string, more: Partial<VhostEntry> = {}): VhostEntry => ({
  backend: 'test',
  instance: name,
  accessPath: `http/test/${name}`,
  handler: echoBackend(name),
  authorizesItself: true,
  ...more,
})

let frontend: HttpFrontend | undefined
afterEach(async () => {
  await frontend?.close()
  frontend = undefined
})

async function start(opts: Parameters<typeof createHttpFrontend>[0] = {}): Promise<number> {
  frontend = createHttpFrontend({ metrics: { listen: '' }, ...opts })
  return (await frontend.listen('127.0.0.1:0')).port
}

describe('hostKey', () => {
  it('folds case, drops the port and a trailing dot, brackets IPv6', () => {
    expect(hostKey('Registry.Example.COM:8080')).toBe('registry.example.com')
    expect(hostKey('localhost.')).toBe('localhost')
    expect(hostKey('[::1]:8080')).toBe('[::1]')
    expect(hostKey('[::1]')).toBe('[::1]')
    expect(hostKey('127.0.0.1:80')).toBe('127.0.0.1')
    expect(hostKey(undefined)).toBeUndefined()
    expect(hostKey('bad host')).toBeUndefined()
    expect(hostKey('a:b')).toBeUndefined()
    expect(hostKey('[::1')).toBeUndefined()
  })
})

describe('vhost table', () => {
  it('normalises names and refuses bad ones with VHOST_INVALID', () => {
    const table = createVhostTable()
    table.set('LocalHost', entry('a'))
    table.set('::1', entry('b'))
    expect(table.list().map((e) => e.host)).toEqual(['[::1]', 'localhost'])
    expect(table.match('[::1]:5000')?.instance).toBe('b')
    for (const bad of ['localhost:8080', '', 'a b', '[::1']) {
      expect(() => table.set(bad, entry('c'))).toThrow(expect.objectContaining({ code: 'VHOST_INVALID' }))
    }
    expect(() => table.set('x', entry('c', { accessPath: 'nope' }))).toThrow(expect.objectContaining({ code: 'VHOST_INVALID' }))
    expect(() => table.set('x', { ...entry('c'), handler: 'no' as never })).toThrow(expect.objectContaining({ code: 'VHOST_INVALID' }))
    expect(table.delete('LOCALHOST')).toBe(true)
    expect(table.delete('localhost')).toBe(false)
  })

  it('refuses default-checked entries when the frontend has no auth', () => {
    frontend = createHttpFrontend({ metrics: { listen: '' } })
    expect(() => frontend!.vhosts.set('x', entry('x', { authorizesItself: false }))).toThrow(
      expect.objectContaining({ code: 'VHOST_INVALID' }),
    )
  })
})

describe('dispatch', () => {
  it('routes by Host, case-insensitively, port ignored, IPv6 too; unknown hosts get 421', async () => {
    const port = await start()
    frontend!.vhosts.set('registry.example', entry('one'))
    frontend!.vhosts.set('[::1]', entry('six'))
    const one = await request(port, { host: 'REGISTRY.Example:8080', path: '/v2/x?n=1' })
    expect(one.status).toBe(200)
    expect(JSON.parse(one.body)).toMatchObject({ backend: 'one', url: '/v2/x?n=1' })
    const six = await request(port, { host: '[::1]:8080', path: '/' })
    expect(JSON.parse(six.body).backend).toBe('six')
    const unknown = await request(port, { host: 'other.example' })
    expect(unknown.status).toBe(421)
    expect(unknown.headers['content-type']).toMatch(/^text\/plain/)
  })

  it('listens on IPv6 loopback and matches its bracketed Host', async (ctx) => {
    frontend = createHttpFrontend({ metrics: { listen: '' } })
    frontend.vhosts.set('::1', entry('v6'))
    const listening = await frontend.listen('[::1]:0').catch((err: { cause?: { code?: string } }) => err.cause?.code)
    if (typeof listening !== 'object') return ctx.skip(`no IPv6 loopback here (${listening})`)
    const reply = await request(listening.port, { address: '::1', host: `[::1]:${listening.port}` })
    expect(JSON.parse(reply.body).backend).toBe('v6')
  })

  it('applies set and delete to the next request', async () => {
    const port = await start()
    expect((await request(port, { host: 'live.example' })).status).toBe(421)
    frontend!.vhosts.set('live.example', entry('first'))
    expect(JSON.parse((await request(port, { host: 'live.example' })).body).backend).toBe('first')
    frontend!.vhosts.set('live.example', entry('second'))
    expect(JSON.parse((await request(port, { host: 'live.example' })).body).backend).toBe('second')
    frontend!.vhosts.delete('live.example')
    expect((await request(port, { host: 'live.example' })).status).toBe(421)
  })

  it('hands the raw body and URL to the backend, adds no ETag or X-Powered-By', async () => {
    const port = await start()
    frontend!.vhosts.set('localhost', entry('raw'))
    const body = JSON.stringify({ a: 1 })
    const reply = await request(port, {
      method: 'PUT',
      path: '/v2/a/b/blobs/uploads/x?digest=sha256:00',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(JSON.parse(reply.body)).toEqual({ backend: 'raw', url: '/v2/a/b/blobs/uploads/x?digest=sha256:00', method: 'PUT', body })
    expect(reply.headers['x-powered-by']).toBeUndefined()
    expect(reply.headers.etag).toBeUndefined()
  })

  it('answers 500 when a backend throws or rejects', async () => {
    const errors: string[] = []
    const port = await start({ log: { error: (msg) => errors.push(msg) } })
    frontend!.vhosts.set('sync.example', entry('s', { handler: () => { throw new Error('boom') } }))
    frontend!.vhosts.set('async.example', entry('a', { handler: async () => { throw new Error('boom') } }))
    expect((await request(port, { host: 'sync.example' })).status).toBe(500)
    expect((await request(port, { host: 'async.example' })).status).toBe(500)
    expect(errors).toHaveLength(2)
  })

  it('lets routes added to the app serve unknown hosts', async () => {
    const port = await start()
    frontend!.app.get('/.well-known/acme-challenge/:token', (req, res) => {
      res.type('text/plain').send(`token ${req.params.token}`)
    })
    const reply = await request(port, { host: 'fresh.example', path: '/.well-known/acme-challenge/abc' })
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('token abc')
  })
})

describe('unknown hosts (issue 9.10)', () => {
  it('answers a registry client OCI error JSON naming the served hosts', async () => {
    const port = await start()
    frontend!.vhosts.set('registry.localhost', entry('reg'))
    frontend!.vhosts.set('media.localhost', entry('media'))
    // what `podman login 127.0.0.1:<port>` sends first
    const ping = await request(port, { host: `127.0.0.1:${port}`, path: '/v2/' })
    expect(ping.status).toBe(421)
    expect(ping.headers['content-type']).toMatch(/^application\/json/)
    expect(ping.headers['docker-distribution-api-version']).toBe('registry/2.0')
    const [error] = JSON.parse(ping.body).errors
    expect(error.code).toBe('NAME_UNKNOWN')
    expect(error.detail).toEqual({ host: `127.0.0.1:${port}`, served: ['media.localhost', 'registry.localhost'] })
    expect(error.message).toContain('registry.localhost')
    expect(error.message).toContain(`media.localhost:${port}`) // an address to use instead, with the port
    const head = await request(port, { host: 'nope.example', path: '/v2/', method: 'HEAD' })
    expect([head.status, head.body]).toEqual([421, ''])
  })

  it('answers JSON to a client that accepts it, plain text with a curl line to others', async () => {
    const port = await start()
    frontend!.vhosts.set('registry.localhost', entry('reg'))
    const json = await request(port, { host: 'nope.example', path: '/x', headers: { accept: 'application/json' } })
    expect(json.status).toBe(421)
    expect(JSON.parse(json.body)).toMatchObject({ error: 'HOST_UNKNOWN', host: 'nope.example', served: ['registry.localhost'] })
    const text = await request(port, { host: 'nope.example', path: '/x' })
    expect([text.status, text.headers['content-type']]).toEqual([421, 'text/plain; charset=utf-8'])
    expect(text.body).toContain(`curl --resolve registry.localhost:${port}:127.0.0.1 http://registry.localhost:${port}/`)
    // the curl line it gives works
    const reached = await request(port, { host: `registry.localhost:${port}`, path: '/' })
    expect(JSON.parse(reached.body).backend).toBe('reg')
  })

  it('says when nothing is served, and lists no hosts when told not to', async () => {
    let port = await start()
    const none = JSON.parse((await request(port, { host: 'a.example', path: '/v2/' })).body).errors[0]
    expect(none.detail).toEqual({ host: 'a.example', served: [] })
    await frontend!.close()
    port = await start({ listServedHosts: false })
    frontend!.vhosts.set('secret.internal', entry('s'))
    const quiet = await request(port, { host: 'a.example', path: '/v2/' })
    expect(quiet.status).toBe(421)
    expect(quiet.body).not.toContain('secret.internal')
    expect(JSON.parse(quiet.body).errors[0].code).toBe('NAME_UNKNOWN')
  })
})

describe('Host header and request target (issue 9.8)', () => {
  it('refuses two Host headers and an unusable one with 400', async () => {
    const port = await start()
    frontend!.vhosts.set('localhost', entry('one'))
    const two = await rawRequest(port, 'GET /v2/ HTTP/1.1\r\nHost: localhost\r\nHost: other.example')
    expect(two.status).toBe(400)
    expect(JSON.parse(two.body).errors[0].code).toBe('NAME_INVALID')
    const twoPlain = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\nAccept: application/json')
    expect([twoPlain.status, JSON.parse(twoPlain.body).error]).toEqual([400, 'HOST_DUPLICATE'])
    const bad = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: local host\r\nAccept: application/json')
    expect([bad.status, JSON.parse(bad.body).error]).toEqual([400, 'HOST_INVALID'])
    // health checks too: the request itself is malformed
    expect((await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b')).status).toBe(400)
  })

  it('routes an absolute-form target by its authority, handing the backend the path as sent', async () => {
    const port = await start()
    frontend!.vhosts.set('registry.example', entry('reg'))
    frontend!.vhosts.set('localhost', entry('local'))
    const reply = await rawRequest(port, 'GET http://Registry.Example:8080/v2/a%2Fb/tags/list?n=1 HTTP/1.1\r\nHost: localhost')
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ backend: 'reg', url: '/v2/a%2Fb/tags/list?n=1' })
    const bare = await rawRequest(port, 'GET http://registry.example?x=1 HTTP/1.1\r\nHost: localhost')
    expect(JSON.parse(bare.body)).toMatchObject({ backend: 'reg', url: '/?x=1' })
    const elsewhere = await rawRequest(port, 'GET http://nope.example/v2/ HTTP/1.1\r\nHost: localhost')
    expect(elsewhere.status).toBe(421)
    expect(JSON.parse(elsewhere.body).errors[0].detail.host).toBe('nope.example')
  })

  it('refuses an absolute-form target of another scheme or with user info', async () => {
    const port = await start()
    frontend!.vhosts.set('localhost', entry('local'))
    for (const target of ['ftp://localhost/v2/', 'http://user@localhost/v2/', 'http://localhost:http/v2/']) {
      const reply = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json`)
      expect(reply.status, target).toBe(400)
      expect(JSON.parse(reply.body).errors[0].code, target).toBe('NAME_INVALID')
    }
  })
})

describe('health', () => {
  it('serves /healthz and /readyz on every host, readiness from the callback', async () => {
    let ready = false
    const port = await start({ ready: () => ready })
    frontend!.vhosts.set('localhost', entry('h'))
    for (const host of ['localhost', 'unknown.example']) {
      const health = await request(port, { host, path: '/healthz' })
      expect([health.status, health.body]).toEqual([200, 'ok\n'])
      expect((await request(port, { host, path: '/readyz' })).status).toBe(503)
    }
    ready = true
    expect((await request(port, { path: '/readyz' })).status).toBe(200)
    // other paths still reach the backend
    expect(JSON.parse((await request(port, { path: '/healthzz' })).body).backend).toBe('h')
  })
})
