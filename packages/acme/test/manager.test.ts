// Issuance and renewal against Debian's pebble (a real ACME server) on loopback; challenges answered by a real
// HTTP server the way the frontend does it.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  HTTP01_PREFIX,
  createCertificateManager,
  isAcmeError,
  nodeFetch,
  splitChain,
  type AcmeStorage,
  type CertificateManager,
  type IssuedCertificate,
} from '../src/index.js'
import { freePort, startPebble, type Pebble } from '@everlock/acme/testing'

/** The narrow storage the app backs with the everlock-system store; here a map that records each write. */
function memoryStorage(): AcmeStorage & { files: Map<string, string>; messages: string[] } {
  const files = new Map<string, string>()
  const messages: string[] = []
  return {
    files,
    messages,
    async read(path) {
      return files.get(path)
    },
    async write(changes, message) {
      for (const [path, text] of Object.entries(changes)) files.set(path, text)
      messages.push(message)
    },
  }
}

describe('certificate manager against pebble', () => {
  let pebble: Pebble
  let http: Server
  let answer: ((token: string) => string | undefined) | undefined
  let served = 0

  beforeAll(async () => {
    const port = await freePort()
    http = createServer((req, res) => {
      const token = req.url?.startsWith(HTTP01_PREFIX) ? req.url.slice(HTTP01_PREFIX.length) : undefined
      const body = token ? answer?.(token) : undefined
      if (body === undefined) return void res.writeHead(404).end()
      served++
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
    })
    await new Promise<void>((r) => http.listen(port, '127.0.0.1', r))
    pebble = await startPebble(port)
  })
  afterAll(async () => {
    await pebble?.stop()
    http?.close()
  })

  function manager(storage: AcmeStorage, got: IssuedCertificate[], extra: Partial<Parameters<typeof createCertificateManager>[0]> = {}): CertificateManager {
    const m = createCertificateManager({
      directoryUrl: pebble.directoryUrl,
      fetch: nodeFetch({ ca: pebble.ca }),
      storage,
      onCertificate: (c) => got.push(c),
      pollMs: 100,
      startSpreadMs: 3_600_000,
      ...extra,
    })
    answer = (token) => m.challengeResponse(token)
    return m
  }

  it('issues over HTTP-01, keeps account key and certificate in storage, and renews on demand with a new serial', async () => {
    const storage = memoryStorage()
    const got: IssuedCertificate[] = []
    const m = manager(storage, got)
    await m.start(['photos.localhost'])
    expect(m.list()).toMatchObject([{ domain: 'photos.localhost', state: 'missing' }])

    const first = await m.issue('photos.localhost')
    expect(served).toBeGreaterThan(0)
    const leaf = new X509Certificate(splitChain(first.certPem)[0]!)
    expect(leaf.subjectAltName).toContain('DNS:photos.localhost')
    expect(leaf.checkPrivateKey(createPrivateKey(first.keyPem))).toBe(true)
    // the chain leads to pebble's root
    const chain = splitChain(first.certPem).map((p) => new X509Certificate(p))
    const root = new X509Certificate(await pebble.root())
    expect(chain.at(-1)!.verify(root.publicKey)).toBe(true)
    expect(storage.files.has('acme/account-key.pem')).toBe(true)
    expect(storage.files.get('acme/certs/photos.localhost/cert.pem')).toBe(first.certPem)
    expect(storage.messages).toEqual(['acme: new account key', expect.stringMatching(/^acme: certificate for photos\.localhost issued by/)])
    expect(m.list()).toMatchObject([{ domain: 'photos.localhost', state: 'valid', failures: 0, certificate: { serial: first.info.serial } }])
    // scheduled for renewal well before expiry
    expect(m.list()[0]!.nextAttempt!.getTime()).toBeLessThan(first.info.notAfter.getTime())

    const renewed = await m.issue('photos.localhost')
    expect(renewed.info.serial).not.toBe(first.info.serial)
    expect(got.map((c) => c.info.serial)).toEqual([first.info.serial, renewed.info.serial])
    expect(storage.messages.at(-1)).toMatch(/renewed/)
    m.close()

    // a restart loads the stored certificate and account: no new issuance, no new account key
    const again: IssuedCertificate[] = []
    const m2 = manager(storage, again)
    await m2.start(['photos.localhost'])
    expect(again.map((c) => c.info.serial)).toEqual([renewed.info.serial])
    expect(storage.messages.filter((s) => s === 'acme: new account key')).toHaveLength(1)
    m2.close()
  })

  it('a challenge nobody answers fails that order clearly, keeps no certificate and backs off', async () => {
    const storage = memoryStorage()
    const got: IssuedCertificate[] = []
    const m = manager(storage, got, { retryBaseMs: 60_000 })
    answer = () => undefined
    const err = await m.issue('nobody.localhost').catch((e: unknown) => e)
    expect(isAcmeError(err, 'ACME_ORDER_INVALID')).toBe(true)
    const [status] = m.list()
    expect(status).toMatchObject({ domain: 'nobody.localhost', state: 'failed', failures: 1 })
    expect(status!.lastError).toMatch(/http-01/)
    expect(status!.nextAttempt!.getTime() - Date.now()).toBeGreaterThan(40_000)
    expect(got).toEqual([])
    expect(storage.files.has('acme/certs/nobody.localhost/cert.pem')).toBe(false)
    m.close()
  })

  it('start spreads due work over its window instead of issuing everything at once', async () => {
    const storage = memoryStorage()
    const m = manager(storage, [], { random: () => 0.5, startSpreadMs: 600_000 })
    await m.start(['a.localhost', 'b.localhost'])
    for (const s of m.list()) expect(s.nextAttempt!.getTime() - Date.now()).toBeGreaterThan(250_000)
    expect(() => m.setDomains(['bad name'])).toThrow(/not a DNS name/)
    m.close()
  })

  it('an unreachable directory is ACME_UNREACHABLE', async () => {
    const m = createCertificateManager({ directoryUrl: `https://127.0.0.1:${await freePort()}/dir`, fetch: nodeFetch({ ca: pebble.ca }), storage: memoryStorage(), onCertificate: () => undefined })
    const err = await m.issue('x.localhost').catch((e: unknown) => e)
    expect(isAcmeError(err, 'ACME_UNREACHABLE')).toBe(true)
    m.close()
  })
})
