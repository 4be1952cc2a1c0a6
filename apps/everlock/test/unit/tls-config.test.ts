// config/tls.toml and config/certs/: parsing, every problem named, certificate pairs checked with real openssl-made files.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCa, type TestCa } from '@everlock/frontend-http/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTlsConfig } from '../../src/config/tls-config.js'
import { isEverlockError } from '../../src/errors.js'
import { readCertificateDir } from '../../src/tls/cert-dir.js'

function problemKeys(text: string): string[] {
  try {
    parseTlsConfig(text, '/etc/everlock/tls.toml')
  } catch (err) {
    if (isEverlockError(err, 'CONFIG_INVALID')) return err.problems.map((p) => p.key)
    throw err
  }
  return []
}

describe('config/tls.toml', () => {
  it('an empty file: no ACME, no redirect', () => {
    expect(parseTlsConfig('', 'tls.toml')).toEqual({ redirectHttp: false })
  })

  it('reads ACME settings; ca_file is relative to the config directory; vhosts normalised', () => {
    const text = '[acme]\ndirectory = "https://127.0.0.1:14000/dir"\nemail = "ops@example.org"\nca_file = "pebble.pem"\nvhosts = ["Photos.Example.org."]\n[https]\nredirect_http = true\n'
    expect(parseTlsConfig(text, '/etc/everlock/tls.toml')).toEqual({
      redirectHttp: true,
      acme: { directory: 'https://127.0.0.1:14000/dir', email: 'ops@example.org', caFile: '/etc/everlock/pebble.pem', vhosts: ['photos.example.org'] },
    })
  })

  it('lists every problem with its key', () => {
    expect(problemKeys('x = 1\n[acme]\ndirectory = "http://plain"\nemail = "nope"\nvhosts = ["127.0.0.1", "ok.example", "bad host"]\nextra = 2\n[https]\nredirect_http = "yes"\n')).toEqual([
      'x', 'https.redirect_http', 'acme.extra', 'acme.directory', 'acme.email', 'acme.vhosts[0]', 'acme.vhosts[2]',
    ])
  })
})

describe('config/certs/', () => {
  let ca: TestCa
  let dir: string
  beforeAll(() => {
    ca = createTestCa()
    dir = mkdtempSync(join(tmpdir(), 'everlock-certs-'))
  })
  afterAll(() => {
    ca.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a missing directory has no certificates', async () => {
    expect(await readCertificateDir(join(dir, 'none'))).toEqual({ certificates: [], problems: [], hosts: [] })
  })

  it('loads host, wildcard and default pairs; names the file of each bad one', async () => {
    const certs = join(dir, 'certs')
    mkdirSync(certs)
    const put = (stem: string, pair: { cert: string; key: string }, key = pair.key): void => {
      writeFileSync(join(certs, `${stem}.pem`), pair.cert)
      writeFileSync(join(certs, `${stem}.key`), key)
    }
    put('photos.localhost', ca.issue(['photos.localhost']))
    put('_.wild.localhost', ca.issue(['*.wild.localhost']))
    put('default', ca.issue(['localhost', '127.0.0.1']))
    put('mismatch.localhost', ca.issue(['mismatch.localhost']), ca.issue(['other.localhost']).key)
    writeFileSync(join(certs, 'nokey.localhost.pem'), ca.issue(['nokey.localhost']).cert)
    writeFileSync(join(certs, 'garbage.localhost.pem'), 'not a certificate')
    writeFileSync(join(certs, 'garbage.localhost.key'), 'not a key')
    writeFileSync(join(certs, 'bad name!.pem'), 'x')
    const { certificates, problems, hosts } = await readCertificateDir(certs)
    expect(hosts.sort()).toEqual(['*.wild.localhost', 'default', 'garbage.localhost', 'mismatch.localhost', 'nokey.localhost', 'photos.localhost'])
    expect(certificates.map((c) => c.host).sort()).toEqual(['*.wild.localhost', 'default', 'photos.localhost'])
    expect(problems.map((p) => p.file.slice(certs.length + 1)).sort()).toEqual(['bad name!.pem', 'garbage.localhost.pem', 'mismatch.localhost.pem', 'nokey.localhost.key'])
  })
})
