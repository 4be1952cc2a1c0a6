// The --https mode: one certificate for 127.0.0.1 (made by the frontend's test CA, via openssl) that both
// registries serve, and the trust every client of the run uses (Node agents, curl, skopeo).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTestCa } from '@everlock/frontend-http/testing'

export interface BenchTls {
  /** The server's chain and key (PEM files). */
  readonly certFile: string
  readonly keyFile: string
  readonly cert: string
  readonly key: string
  /** The CA, PEM text and file; `certDir` holds it as `ca.crt` for skopeo's --cert-dir. */
  readonly ca: string
  readonly caFile: string
  readonly certDir: string
}

let current: BenchTls | undefined

/** Makes the run's certificate under `dir` and makes every client trust its CA. */
export function useHttps(dir: string): BenchTls {
  const ca = createTestCa()
  try {
    const pair = ca.issue(['localhost', '127.0.0.1'])
    const certDir = join(dir, 'trust')
    mkdirSync(certDir, { recursive: true })
    const files = { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key'), caFile: join(certDir, 'ca.crt') }
    writeFileSync(files.certFile, pair.cert)
    writeFileSync(files.keyFile, pair.key, { mode: 0o600 })
    writeFileSync(files.caFile, ca.cert)
    current = { ...files, cert: pair.cert, key: pair.key, ca: ca.cert, certDir }
    return current
  } finally {
    ca.cleanup()
  }
}

/** The run's TLS, when --https is on. */
export function benchTls(): BenchTls | undefined {
  return current
}

export const scheme = (): string => (current ? 'https' : 'http')
