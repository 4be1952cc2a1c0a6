// What the SNI table serves from config/certs/ and ACME: file over ACME, reloads that keep the old pair on a bad
// one, removal falling back to ACME. Real openssl-made certificates, a real table, a real directory.
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkKeyPair } from '@everlock/acme'
import { createTlsCertificates, type TlsCertificates } from '@everlock/frontend-http'
import { createTestCa, type TestCa } from '@everlock/frontend-http/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Log } from '../../src/log.js'
import { readCertificateDir } from '../../src/tls/cert-dir.js'
import { createServedCertificates } from '../../src/tls/served-certificates.js'

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber

describe('served certificates', () => {
  let ca: TestCa
  let dir: string
  let table: TlsCertificates
  const lines: string[] = []
  const log: Log = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) }
  beforeAll(() => {
    ca = createTestCa()
    dir = mkdtempSync(join(tmpdir(), 'everlock-served-'))
    table = createTlsCertificates()
  })
  afterAll(() => {
    ca.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })
  const served = (host: string): string | undefined => table.list().find((l) => l.host === host)?.certificate.serial
  const put = (stem: string, pair: { cert: string; key: string }): void => {
    writeFileSync(join(dir, `${stem}.pem`), pair.cert)
    writeFileSync(join(dir, `${stem}.key`), pair.key)
  }

  it('a file wins over ACME for its host; removing the file serves the ACME certificate again', async () => {
    const s = createServedCertificates(table, log)
    const issued = ca.issue(['photos.localhost'])
    s.setAcme({ domain: 'photos.localhost', certPem: issued.cert, keyPem: issued.key, info: checkKeyPair(issued.cert, issued.key, 'acme').info })
    expect(served('photos.localhost')).toBe(serialOf(issued.cert))

    const file = ca.issue(['photos.localhost'])
    put('photos.localhost', file)
    await s.reloadDir(dir)
    expect(served('photos.localhost')).toBe(serialOf(file.cert))
    expect(table.list().find((l) => l.host === 'photos.localhost')?.source).toBe(join(dir, 'photos.localhost.pem'))

    // a bad pair on reload: refused by file name, the file's old certificate stays
    writeFileSync(join(dir, 'photos.localhost.key'), ca.issue(['x.localhost']).key)
    await s.reloadDir(dir)
    expect(served('photos.localhost')).toBe(serialOf(file.cert))
    expect(lines.at(-1)).toMatch(/^error tls: reload refused: .*photos\.localhost\.pem/)

    rmSync(join(dir, 'photos.localhost.pem'))
    rmSync(join(dir, 'photos.localhost.key'))
    await s.reloadDir(dir)
    expect(served('photos.localhost')).toBe(serialOf(issued.cert))
    expect(lines.at(-1)).toMatch(/certificate removed .*serving its ACME certificate/)
    s.removeAcme('photos.localhost')
    expect(served('photos.localhost')).toBeUndefined()
  })

  it('default.pem becomes the default; an unchanged directory changes nothing', async () => {
    const s = createServedCertificates(table, log)
    const fallback = ca.issue(['default.localhost'])
    put('default', fallback)
    await s.reloadDir(dir)
    expect(served('(default)')).toBe(serialOf(fallback.cert))
    const before = lines.length
    await s.reloadDir(dir)
    expect(lines.length).toBe(before)
    expect((await readCertificateDir(dir)).hosts).toEqual(['default'])
  })
})
