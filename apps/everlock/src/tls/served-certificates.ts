import type { IssuedCertificate } from '@everlock/acme'
import type { CertificatePair, TlsCertificates } from '@everlock/frontend-http'
import type { Log } from '../log.js'
import { readCertificateDir, type CertificateFile } from './cert-dir.js'

const DEFAULT = 'default'

/**
 * What the SNI table serves, from two sources: files of `config/certs/` and ACME. A file wins over ACME for
 * the same host (an explicit choice); the default certificate only comes from `default.pem`.
 */
export interface ServedCertificates {
  /** The file pairs in use, by host (`default` for the default). */
  readonly files: ReadonlyMap<string, CertificateFile>
  readonly acme: ReadonlyMap<string, IssuedCertificate>
  /** Put a file pair in use; throws (the table's TLS_CERT_INVALID) and keeps the old one if it cannot be served. */
  setFile(file: CertificateFile): void
  removeFile(host: string): void
  setAcme(cert: IssuedCertificate): void
  removeAcme(host: string): void
  /** Re-read the directory: changed and added pairs are served, removed files dropped, bad pairs refused (logged) and the old one kept. */
  reloadDir(dir: string): Promise<void>
}

export function createServedCertificates(table: TlsCertificates, log: Log): ServedCertificates {
  const files = new Map<string, CertificateFile>()
  const acme = new Map<string, IssuedCertificate>()

  /** Serve what the sources say for `host` now. */
  function apply(host: string): void {
    const file = files.get(host)
    const issued = acme.get(host)
    const pair: CertificatePair | undefined = file
      ? { cert: file.cert, key: file.key, source: file.source }
      : issued && host !== DEFAULT
        ? { cert: issued.certPem, key: issued.keyPem, source: 'acme' }
        : undefined
    if (host === DEFAULT) table.setDefault(pair)
    else if (pair) table.set(host, pair)
    else table.delete(host)
  }

  /** Change one source entry and apply it; on failure the entry and the table stay as they were. */
  function change<T>(map: Map<string, T>, host: string, value: T | undefined): void {
    const old = map.get(host)
    if (value === undefined) map.delete(host)
    else map.set(host, value)
    try {
      apply(host)
    } catch (err) {
      if (old === undefined) map.delete(host)
      else map.set(host, old)
      throw err
    }
  }

  return {
    files,
    acme,
    setFile: (file) => change(files, file.host, file),
    removeFile: (host) => change(files, host, undefined),
    setAcme: (cert) => change(acme, cert.domain, cert),
    removeAcme: (host) => change(acme, host, undefined),

    async reloadDir(dir) {
      const found = await readCertificateDir(dir)
      // an unreadable directory lists nothing: that is no reason to drop what is served
      const unreadable = found.problems.some((p) => p.key === '(directory)')
      for (const p of found.problems) log.error(`tls: reload refused: ${p.file}: ${p.key}: expected ${p.expected}; the certificate served so far stays`)
      for (const file of found.certificates) {
        const old = files.get(file.host)
        if (old && old.cert === file.cert && old.key === file.key) continue
        try {
          change(files, file.host, file)
          log.info(`tls: ${file.host}: certificate ${old ? 'replaced' : 'added'} from ${file.source}`)
        } catch (err) {
          log.error(`tls: reload refused: ${file.source}: ${err instanceof Error ? err.message : String(err)}; the certificate served so far stays`)
        }
      }
      const present = new Set(found.hosts)
      for (const [host, file] of [...files]) {
        if (unreadable || present.has(host)) continue
        change(files, host, undefined)
        log.info(`tls: ${host}: certificate removed (${file.source} is gone)${acme.has(host) && host !== DEFAULT ? '; serving its ACME certificate' : ''}`)
      }
    },
  }
}
