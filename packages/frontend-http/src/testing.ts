// Test helpers (subpath `@everlock/frontend-http/testing`): a throw-away CA and certificates made by openssl for HTTPS tests.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Pair {
  cert: string
  key: string
}

export interface TestCa {
  readonly cert: string
  /** A leaf for `names` (first = CN; IP addresses become IP SANs), signed by the CA, valid 2 days. */
  issue(names: readonly string[], opts?: { rsa?: boolean }): Pair
  /** A self-signed pair that no one trusts. */
  selfSigned(name: string): Pair
  cleanup(): void
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-ca-'))
  const caKey = join(dir, 'ca.key')
  const caCert = join(dir, 'ca.pem')
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' })
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Everlock Test CA', '-keyout', caKey, '-out', caCert])
  let n = 0
  return {
    cert: readFileSync(caCert, 'utf8'),
    issue(names, opts = {}) {
      const base = join(dir, `leaf${++n}`)
      const keyArgs = opts.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
      run(['req', ...keyArgs, '-nodes', '-subj', `/CN=${names[0]}`, '-keyout', `${base}.key`, '-out', `${base}.csr`])
      writeFileSync(`${base}.ext`, `subjectAltName=${names.map((x) => (/^[\d.]+$/.test(x) ? `IP:${x}` : `DNS:${x}`)).join(',')}\n`)
      run(['x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-extfile', `${base}.ext`, '-out', `${base}.pem`])
      return { cert: readFileSync(`${base}.pem`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') }
    },
    selfSigned(name) {
      const base = join(dir, `self${++n}`)
      run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', `${base}.key`, '-out', `${base}.pem`])
      return { cert: readFileSync(`${base}.pem`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
