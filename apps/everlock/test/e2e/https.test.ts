// HTTPS end to end against a real `everlock serve`: podman and skopeo over TLS with the test CA trusted (no
// --tls-verify=false), certificate files swapped live, ACME certificates from Debian's pebble issued and renewed
// from the console without a restart, the plain-HTTP redirect, HSTS absent on registries, a bad pair at start.
import { X509Certificate } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { startPebble, type Pebble } from '@everlock/acme/testing'
import { createTestCa, type TestCa } from '@everlock/frontend-http/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { built, Child, Everlock, freePort, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { buildLayout, readLayout, type Layout } from '../helpers/image.js'
import { podman, tool } from '../helpers/tools.js'

interface Served {
  readonly serial: string
  readonly authorized: boolean
  readonly error?: string
}

/** The certificate a TLS handshake for `servername` gets, and whether it verifies against `ca`. */
function handshake(port: number, servername: string, ca: string | string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate()
      resolve({ serial: cert.serialNumber, authorized: socket.authorized, ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}) })
      socket.end()
    })
    socket.on('error', reject)
  })
}

function httpsGet(port: number, host: string, path: string, ca: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: host, ca, headers: { host: `${host}:${port}` }, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A console command's output, also when it ends with a non-zero status (a refused command). */
async function say(everlock: Everlock, command: string): Promise<string> {
  return everlock.console(command).catch((err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`)
}

/** Polls until `check` holds (a reload is asynchronous: fs.watch, a debounce, then the table). */
async function eventually<T>(what: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await what()
    if (check(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber

describe.skipIf(!built)('HTTPS (podman, skopeo, pebble, live certificates)', () => {
  let dir: string
  let certs: string
  let ca: TestCa
  let pebble: Pebble
  let everlock: Everlock
  let https: number
  let image: Layout
  let trust: string
  const pair = { localhost: { cert: '', key: '' } }

  const put = (stem: string, p: { cert: string; key: string }): void => {
    writeFileSync(join(certs, `${stem}.key`), p.key, { mode: 0o600 })
    writeFileSync(join(certs, `${stem}.pem`), p.cert)
  }

  beforeAll(async () => {
    dir = tempDir('https')
    ca = createTestCa()
    image = buildLayout(join(dir, 'image'))
    certs = join(dir, 'config', 'certs')
    mkdirSync(certs, { recursive: true })
    pair.localhost = ca.issue(['localhost', '127.0.0.1'])
    put('localhost', pair.localhost)
    put('default', ca.issue(['default.localhost']))
    // podman and skopeo: a per-test certificate directory holding the CA, nothing system-wide
    trust = join(dir, 'trust')
    mkdirSync(trust)
    writeFileSync(join(trust, 'ca.crt'), ca.cert)

    const http = await freePort()
    https = await freePort()
    pebble = await startPebble(http)
    writeFileSync(join(dir, 'config', 'pebble-ca.pem'), pebble.ca)
    writeFileSync(join(dir, 'config', 'tls.toml'), `[acme]\ndirectory = "${pebble.directoryUrl}"\nemail = "ops@example.org"\nca_file = "pebble-ca.pem"\nvhosts = ["acme.localhost"]\n\n[https]\nredirect_http = true\n`)
    everlock = await Everlock.start(dir, { http, args: (h, s) => seedArgs(dir, h, s, ['--frontend-http-listen-https', `127.0.0.1:${https}`]) })
    await everlock.proc.waitFor([/^https listening on 127\.0\.0\.1:\d+$/m])
  }, 60_000)
  afterAll(async () => {
    const exit = await everlock?.stop()
    await pebble?.stop()
    ca?.cleanup()
    expect(exit?.code).toBe(0)
    removeDir(dir)
  })

  it('podman logs in, pushes and pulls over HTTPS with the CA trusted (and refuses without it)', async () => {
    const registry = `localhost:${https}`
    const pm = podman(join(dir, 'podman'))
    const authfile = join(dir, 'podman', 'auth.json')
    const untrusted = await pm.run('login', '--authfile', authfile, '-u', 'admin', '-p', 'change-me', registry)
    expect(untrusted.ok).toBe(false)
    expect(untrusted.stderr).toMatch(/certificate|x509|unknown authority/i)
    const login = await pm.run('login', '--cert-dir', trust, '--authfile', authfile, '-u', 'admin', '-p', 'change-me', registry)
    expect(login.ok, login.stderr).toBe(true)
    const loaded = await pm.run('pull', `oci:${image.dir}:${image.tag}`)
    expect(loaded.ok, loaded.stderr).toBe(true)
    const imageId = loaded.stdout.trim().split('\n').pop()!
    const ref = `${registry}/admin/podman:tls`
    expect((await pm.run('tag', imageId, ref)).ok).toBe(true)
    const digestFile = join(dir, 'podman-digest')
    const pushed = await pm.run('push', '--cert-dir', trust, '--authfile', authfile, '--digestfile', digestFile, ref)
    expect(pushed.ok, pushed.stderr).toBe(true)
    const digest = readFileSync(digestFile, 'utf8').trim()
    expect((await pm.run('rmi', '-f', ref, imageId)).ok).toBe(true)
    const pulled = await pm.run('pull', '--cert-dir', trust, '--authfile', authfile, ref)
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect((await pm.run('image', 'inspect', '--format', '{{.Digest}}', ref)).stdout.trim()).toBe(digest)
  })

  it('skopeo logs in, copies up and back over HTTPS with --cert-dir (same digests)', async () => {
    const registry = `localhost:${https}`
    const authfile = join(dir, 'skopeo.json')
    const login = await tool('skopeo', ['login', '--cert-dir', trust, '--authfile', authfile, '-u', 'admin', '-p', 'change-me', registry])
    expect(login.ok, login.stderr).toBe(true)
    const pushed = await tool('skopeo', ['copy', '--preserve-digests', '--dest-cert-dir', trust, '--dest-authfile', authfile, `oci:${image.dir}:${image.tag}`, `docker://${registry}/admin/skopeo:tls`])
    expect(pushed.ok, pushed.stderr).toBe(true)
    const out = join(dir, 'skopeo-pulled')
    mkdirSync(out)
    const pulled = await tool('skopeo', ['copy', '--src-cert-dir', trust, '--src-authfile', authfile, `docker://${registry}/admin/skopeo:tls`, `oci:${out}:tls`])
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect(readLayout(out)).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests })
  })

  it('registries get no HSTS; plain HTTP sends browsers to HTTPS but never /v2/ clients', async () => {
    const v2 = await httpsGet(https, 'localhost', '/v2/', ca.cert)
    expect(v2.status).toBe(401)
    expect(v2.headers['strict-transport-security']).toBeUndefined()
    const browser = await request({ port: everlock.http, host: `localhost:${everlock.http}`, path: '/some/page', headers: { accept: 'text/html,*/*' } })
    expect([browser.status, browser.headers['location']]).toEqual([308, `https://localhost:${https}/some/page`])
    const client = await request({ port: everlock.http, host: `localhost:${everlock.http}`, path: '/v2/', headers: { accept: 'text/html,*/*' } })
    expect(client.status).toBe(401)
  })

  it('a certificate file changed on disk is served without a restart; a bad pair is refused and the old one kept; a removed one falls back to the default', async () => {
    expect((await handshake(https, 'localhost', ca.cert)).serial).toBe(serialOf(pair.localhost.cert))
    const next = ca.issue(['localhost', '127.0.0.1'])
    put('localhost', next)
    const swapped = await eventually(() => handshake(https, 'localhost', ca.cert), (s) => s.serial === serialOf(next.cert))
    expect(swapped).toMatchObject({ serial: serialOf(next.cert), authorized: true })

    // a key that does not match: refused by name, the certificate served so far stays
    writeFileSync(join(certs, 'localhost.key'), ca.issue(['other.localhost']).key)
    process.kill(everlock.proc.child.pid!, 'SIGHUP')
    await everlock.proc.waitFor([/reload refused: \S*certs\/localhost\.pem/])
    expect((await handshake(https, 'localhost', ca.cert)).serial).toBe(serialOf(next.cert))

    rmSync(join(certs, 'localhost.pem'))
    rmSync(join(certs, 'localhost.key'))
    const fallback = await eventually(() => handshake(https, 'localhost', ca.cert), (s) => s.serial !== serialOf(next.cert))
    expect(fallback.serial).toBe(serialOf(readFileSync(join(certs, 'default.pem'), 'utf8')))
    put('localhost', next)
    await eventually(() => handshake(https, 'localhost', ca.cert), (s) => s.serial === serialOf(next.cert))
  })

  it('ACME: /tls issue gets a pebble certificate for its vhost, /tls renew replaces it live, /tls list shows both kinds', async () => {
    const root = await pebble.root()
    const defaultSerial = serialOf(readFileSync(join(certs, 'default.pem'), 'utf8'))
    const issued = await say(everlock, '/tls issue acme.localhost')
    // the manager issues missing certificates on its own within its start window (at a random time): it may have won
    expect(issued, everlock.proc.output.slice(-3000)).toMatch(/^acme\.localhost: (certificate issued by Pebble Intermediate CA|has a valid certificate until)/)
    const first = await handshake(https, 'acme.localhost', root)
    expect(first).toMatchObject({ authorized: true })
    expect(first.serial).not.toBe(defaultSerial)
    if (issued.includes('issued by')) expect(issued).toContain(`serial ${first.serial}`)
    expect(await say(everlock, '/tls issue acme.localhost')).toMatch(/has a valid certificate until/)

    const renewed = await say(everlock, '/tls renew acme.localhost')
    expect(renewed, everlock.proc.output.slice(-3000)).toMatch(/^acme\.localhost: certificate renewed by Pebble/)
    const second = await handshake(https, 'acme.localhost', root)
    expect(second.authorized).toBe(true)
    expect(second.serial).not.toBe(first.serial)
    expect(renewed).toContain(`serial ${second.serial}`)

    const list = await say(everlock, '/tls list')
    expect(list).toMatch(/^HOST\s+SOURCE\s+ISSUER\s+NOT-AFTER\s+STATE$/m)
    expect(list).toMatch(/^localhost\s+\S+\/certs\/localhost\.pem\s+Everlock Test CA\s+\d{4}-\d\d-\d\dT/m)
    expect(list).toMatch(/^acme\.localhost\s+acme\s+Pebble Intermediate CA \S+\s+\d{4}-\S+\s+valid; next \d{4}-/m)
    expect(await say(everlock, '/tls renew localhost')).toMatch(/is not an ACME vhost/)
    // account key and certificates are commits in everlock-system, authored everlock-acme
    expect(await everlock.console('/store log everlock-system')).toMatch(/everlock-acme acme: certificate for acme\.localhost renewed/)
  }, 60_000)

  it('a bad pair at start is an exit 1 naming the file', async () => {
    const bad = tempDir('https-bad')
    try {
      mkdirSync(join(bad, 'config', 'certs'), { recursive: true })
      writeFileSync(join(bad, 'config', 'certs', 'reg.localhost.pem'), ca.issue(['reg.localhost']).cert)
      writeFileSync(join(bad, 'config', 'certs', 'reg.localhost.key'), ca.issue(['other.localhost']).key)
      const child = Child.spawn(seedArgs(bad, await freePort(), await freePort(), ['--frontend-http-listen-https', `127.0.0.1:${await freePort()}`]), bad)
      const exit = await child.exited
      expect(exit.code).toBe(1)
      expect(exit.output).toMatch(/invalid configuration/)
      expect(exit.output).toContain(join(bad, 'config', 'certs', 'reg.localhost.pem'))
      expect(exit.output).toMatch(/does not match/)
    } finally {
      removeDir(bad)
    }
  })
})
