// HTTPS listeners: SNI certificates from the live table, the default for other names, live swaps, TLS 1.2+ with
// strong suites only, keep-alive, bad clients timed out; plain HTTP answers ACME challenges and redirects browsers.
import { X509Certificate } from 'node:crypto'
import { Agent, request as httpsRequest } from 'node:https'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect, type PeerCertificate } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpFrontend, isHttpFrontendError, type HttpFrontend } from '@everlock/frontend-http'
import { echoBackend, request } from './helpers.js'
import { createTestCa, type TestCa } from '@everlock/frontend-http/testing'

interface TlsReply {
  status: number
  body: string
  headers: Record<string, unknown>
  serial: string
}

describe('HTTPS', () => {
  let ca: TestCa
  let frontend: HttpFrontend
  let httpsPort: number
  let httpPort: number
  const tokens = new Map([['tok-123_ABC', 'tok-123_ABC.thumbprint']])

  beforeAll(async () => {
    ca = createTestCa()
    frontend = createHttpFrontend({
      metrics: { listen: '' },
      timeouts: { headersMs: 1500 },
      plainHttp: { acmeChallenge: (t) => tokens.get(t), redirectToHttps: { port: 8443 } },
    })
    for (const host of ['a.localhost', 'b.localhost', 'x.wild.localhost']) {
      frontend.vhosts.set(host, { backend: 'test', instance: host.split('.')[0]!, accessPath: 'http/test/x', handler: echoBackend(host), authorizesItself: true, hsts: host === 'a.localhost' })
    }
    frontend.tls.set('a.localhost', { ...ca.issue(['a.localhost']), source: 'a.pem' })
    frontend.tls.set('*.wild.localhost', { ...ca.issue(['*.wild.localhost'], { rsa: true }), source: 'wild.pem' })
    httpsPort = (await frontend.listenHttps('127.0.0.1:0')).port
    httpPort = (await frontend.listen('127.0.0.1:0')).port
  })
  afterAll(async () => {
    await frontend.close()
    ca.cleanup()
  })

  function get(servername: string, path = '/', agent?: Agent): Promise<TlsReply> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: httpsPort, path, servername, ca: ca.cert, headers: { host: servername }, agent: agent ?? false },
        (res) => {
          const chunks: Buffer[] = []
          const serial = (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate().serialNumber
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, serial }))
        },
      )
      req.on('error', reject)
      req.end()
    })
  }

  const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber

  it('serves each vhost with its own certificate (exact and wildcard), verified against the CA', async () => {
    const a = await get('a.localhost', '/hello')
    expect(a.status).toBe(200)
    expect(JSON.parse(a.body)).toMatchObject({ backend: 'a.localhost', url: '/hello' })
    expect(a.headers['strict-transport-security']).toBe('max-age=63072000')
    const wild = await get('x.wild.localhost')
    expect(JSON.parse(wild.body).backend).toBe('x.wild.localhost')
    expect(wild.headers['strict-transport-security']).toBeUndefined()
    expect(frontend.tls.list().map((l) => [l.host, l.source])).toEqual([['*.wild.localhost', 'wild.pem'], ['a.localhost', 'a.pem']])
  })

  it('a name without a certificate is refused while there is no default, and gets the default once there is one', async () => {
    await expect(get('b.localhost')).rejects.toThrow()
    const fallback = ca.issue(['b.localhost', 'default.localhost'])
    frontend.tls.setDefault({ ...fallback, source: 'default.pem' })
    const b = await get('b.localhost')
    expect([b.status, b.serial]).toEqual([200, serialOf(fallback.cert)])
    // a client that sends no name (an IP address) gets the default too
    const noSni = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: httpsPort, ca: ca.cert, checkServerIdentity: () => undefined }, () => {
        resolve(s.getPeerCertificate().serialNumber)
        s.end()
      })
      s.on('error', reject)
    })
    expect(noSni).toBe(serialOf(fallback.cert))
  })

  it('a replaced certificate is used by the next handshake; a bad one is refused and the old one kept', async () => {
    const before = await get('a.localhost')
    const next = ca.issue(['a.localhost'])
    frontend.tls.set('a.localhost', { ...next, source: 'a.pem' })
    expect((await get('a.localhost')).serial).toBe(serialOf(next.cert))
    expect(before.serial).not.toBe(serialOf(next.cert))
    const other = ca.issue(['a.localhost'])
    let code: string | undefined
    try {
      frontend.tls.set('a.localhost', { cert: next.cert, key: other.key, source: 'mismatch.pem' })
    } catch (err) {
      code = isHttpFrontendError(err) ? err.code : 'other'
    }
    expect(code).toBe('TLS_CERT_INVALID')
    expect((await get('a.localhost')).serial).toBe(serialOf(next.cert))
  })

  it('keeps HTTP/1.1 connections alive over TLS', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const sockets = new Set<unknown>()
    agent.on('free', (socket) => sockets.add(socket))
    await get('a.localhost', '/1', agent)
    await get('a.localhost', '/2', agent)
    expect(sockets.size).toBe(1)
    agent.destroy()
  })

  it('refuses TLS 1.1 and weak TLS 1.2 suites', async () => {
    const handshake = (opts: Record<string, unknown>): Promise<string> =>
      new Promise((resolve) => {
        const s = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername: 'a.localhost', ca: ca.cert, ...opts }, () => {
          resolve(`ok ${s.getProtocol()} ${s.getCipher().name}`)
          s.end()
        })
        s.on('error', (err) => resolve(`refused ${(err as NodeJS.ErrnoException).code ?? err.message}`))
      })
    expect(await handshake({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' })).toMatch(/^refused/)
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-SHA' })).toMatch(/^refused/)
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toMatch(/^ok TLSv1\.2 ECDHE-ECDSA-AES(128|256)-GCM/)
    expect(await handshake({})).toMatch(/^ok TLSv1\.3/)
    // the server's order picks AES-128-GCM (cheapest per byte with AES-NI) even for a client that lists AES-256 first
    expect(await handshake({ ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256' })).toBe('ok TLSv1.3 TLS_AES_128_GCM_SHA256')
  })

  it('garbage and silent clients are cut; the listener keeps serving', async () => {
    const closedAfter = (send: Buffer | undefined): Promise<number> =>
      new Promise((resolve) => {
        const started = Date.now()
        const s = netConnect(httpsPort, '127.0.0.1', () => send && s.write(send))
        s.on('data', () => undefined)
        s.on('error', () => undefined)
        s.on('close', () => resolve(Date.now() - started))
      })
    expect(await closedAfter(Buffer.from('GET / HTTP/1.1\r\nHost: a.localhost\r\n\r\n'))).toBeLessThan(1400)
    const silent = await closedAfter(undefined)
    expect(silent).toBeGreaterThan(1000)
    expect(silent).toBeLessThan(5000)
    expect((await get('a.localhost')).status).toBe(200)
  })

  it('plain HTTP answers ACME challenges for any host and sends browsers, not registry clients, to HTTPS', async () => {
    const challenge = await request(httpPort, { host: 'anything.example', path: '/.well-known/acme-challenge/tok-123_ABC' })
    expect([challenge.status, challenge.body]).toEqual([200, 'tok-123_ABC.thumbprint'])
    expect((await request(httpPort, { host: 'a.localhost', path: '/.well-known/acme-challenge/unknown' })).status).toBe(200) // falls through to the vhost
    const browser = await request(httpPort, { host: 'a.localhost:8080', path: '/album?x=1', headers: { accept: 'text/html,application/xhtml+xml' } })
    expect([browser.status, browser.headers.location]).toEqual([308, 'https://a.localhost:8443/album?x=1'])
    const registry = await request(httpPort, { host: 'a.localhost', path: '/v2/', headers: { accept: 'text/html' } })
    expect(registry.status).toBe(200)
    expect(registry.headers['strict-transport-security']).toBeUndefined() // never over plain HTTP
    const api = await request(httpPort, { host: 'a.localhost', path: '/api/assets', headers: { accept: 'application/json' } })
    expect(api.status).toBe(200)
  })
})
