import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createCertificateManager, nodeFetch, type CertificateManager, type DomainStatus } from '@everlock/acme'
import type { TlsAdmin, TlsEntry } from '@everlock/backend-admin'
import { createTlsCertificates, type PlainHttpOptions, type TlsCertificates } from '@everlock/frontend-http'
import type { Store } from '@everlock/versioned-storage'
import { CERT_DIR, loadTlsConfig, TLS_CONFIG_FILE, type TlsConfig } from '../config/tls-config.js'
import { EverlockError, formatProblem, isEverlockError, type ConfigProblem } from '../errors.js'
import type { Log } from '../log.js'
import { normaliseVhost } from '../names.js'
import { storeAcmeStorage } from './acme-storage.js'
import { readCertificateDir, watchCertificateDir } from './cert-dir.js'
import { createServedCertificates, type ServedCertificates } from './served-certificates.js'

/** HTTPS, prepared before anything listens: certificates loaded, what plain HTTP answers besides serving. */
export interface PreparedTls {
  /** The SNI table to give the frontend (`createHttpFrontend({ tls })`). */
  readonly certificates: TlsCertificates
  /** ACME challenges and the browser redirect, for the frontend's plain-HTTP listeners. */
  readonly plainHttp: PlainHttpOptions
  /** Once the listeners are up: the HTTPS port (for the redirect), ACME, the directory watch. */
  start(ctx: { readonly systemStore: Store; readonly httpsPort: number; readonly plainHttp: boolean }): Promise<RunningTls>
}

export interface RunningTls {
  /** What the console's `/tls …` commands work on. */
  readonly admin: TlsAdmin
  /** SIGHUP: re-read `config/certs/` and the ACME vhosts of `config/tls.toml`; problems are logged refusals. */
  reload(): Promise<void>
  close(): void
}

const invalid = (problems: ConfigProblem[]): EverlockError =>
  new EverlockError('CONFIG_INVALID', `${problems[0]!.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, { problems })

/**
 * Reads `config/tls.toml` and `config/certs/` (created if missing). A bad file at start is CONFIG_INVALID
 * naming it: nothing listens with a certificate it was not told about.
 */
export async function prepareTls(configDir: string, log: Log): Promise<PreparedTls> {
  const configFile = join(configDir, TLS_CONFIG_FILE)
  const certDir = join(configDir, CERT_DIR)
  const config = await loadTlsConfig(configFile)
  const ca = config.acme?.caFile ? await readCa(configFile, config.acme.caFile) : undefined
  await mkdir(certDir, { recursive: true, mode: 0o700 })
  const found = await readCertificateDir(certDir)
  if (found.problems.length > 0) throw invalid(found.problems)

  const certificates = createTlsCertificates()
  const served = createServedCertificates(certificates, log)
  for (const file of found.certificates) {
    try {
      served.setFile(file)
    } catch (err) {
      throw invalid([{ file: file.source, key: '(certificate)', expected: `a certificate the TLS stack accepts (${err instanceof Error ? err.message : String(err)})` }])
    }
    const { notAfter } = certificates.list().find((l) => l.source === file.source)!.certificate
    if (notAfter.getTime() < Date.now()) log.warn(`tls: ${file.source} expired on ${notAfter.toISOString()}`)
  }

  let httpsPort = 0
  let manager: CertificateManager | undefined
  const plainHttp: PlainHttpOptions = {
    ...(config.acme ? { acmeChallenge: (token: string) => manager?.challengeResponse(token) } : {}),
    // the port is known once the HTTPS listener is bound
    ...(config.redirectHttp ? { redirectToHttps: { get port() { return httpsPort } } } : {}),
  }

  return {
    certificates,
    plainHttp,
    async start(ctx) {
      httpsPort = ctx.httpsPort
      if (certificates.list().length === 0 && !config.acme?.vhosts.length) {
        log.warn(`tls: no certificates yet: HTTPS handshakes are refused until ${certDir} has <host>.pem + <host>.key (or default.pem + default.key)`)
      }
      let acmeVhosts = config.acme?.vhosts ?? []
      if (config.acme) {
        if (!ctx.plainHttp) log.warn('tls: ACME needs the plain HTTP listener (--frontend-http-listen-http, port 80 in production) to answer HTTP-01 challenges')
        manager = createCertificateManager({
          directoryUrl: config.acme.directory,
          fetch: nodeFetch(ca ? { ca } : {}),
          storage: storeAcmeStorage(ctx.systemStore),
          ...(config.acme.email ? { contact: [`mailto:${config.acme.email}`] } : {}),
          onCertificate: (cert) => {
            try {
              served.setAcme(cert)
            } catch (err) {
              log.error(`tls: ${cert.domain}: ACME certificate not served: ${err instanceof Error ? err.message : String(err)}`)
            }
          },
          log: { info: (m) => log.info(m), error: (m) => log.error(m) },
        })
        await manager.start(acmeVhosts)
        log.info(`tls: ACME for ${acmeVhosts.join(', ') || 'no vhosts yet'} from ${config.acme.directory}`)
      }
      let reloading: Promise<void> = Promise.resolve()
      const reloadDir = (): Promise<void> => (reloading = reloading.then(() => served.reloadDir(certDir)).catch((err: unknown) => log.error('tls: reload failed', { error: err instanceof Error ? err.message : String(err) })))
      const watcher = watchCertificateDir(certDir, () => void reloadDir())

      return {
        admin: tlsAdmin(certificates, served, () => manager, () => acmeVhosts, log),
        async reload() {
          const next = await loadTlsConfig(configFile).catch((err: unknown) => {
            if (!isEverlockError(err, 'CONFIG_INVALID')) throw err
            log.error(`tls: reload of ${configFile} refused, ${err.problems.length} problem(s); ACME vhosts stay as they were`)
            for (const p of err.problems) log.error(formatProblem(p))
            return undefined
          })
          if (next) acmeVhosts = applyAcmeChange(config, next, manager, served, acmeVhosts, log)
          await reloadDir()
        },
        close() {
          watcher.close()
          manager?.close()
        },
      }
    },
  }
}

async function readCa(configFile: string, caFile: string): Promise<string> {
  try {
    return await readFile(caFile, 'utf8')
  } catch (err) {
    throw invalid([{ file: configFile, key: 'acme.ca_file', expected: `a readable PEM file (${caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'})` }])
  }
}

/** A changed `[acme] vhosts` list applies live; other settings need a restart. Returns the vhosts now kept. */
function applyAcmeChange(first: TlsConfig, next: TlsConfig, manager: CertificateManager | undefined, served: ServedCertificates, current: readonly string[], log: Log): readonly string[] {
  const settings = (c: TlsConfig): string => JSON.stringify({ ...c, acme: c.acme ? { ...c.acme, vhosts: [] } : undefined })
  if (settings(first) !== settings(next)) log.warn('tls: config/tls.toml changed beyond [acme] vhosts: restart to apply that')
  const wanted = next.acme?.vhosts ?? []
  if (!manager || wanted.join() === current.join()) return current
  manager.setDomains(wanted)
  for (const host of current) if (!wanted.includes(host)) served.removeAcme(host)
  log.info(`tls: ACME vhosts now ${wanted.join(', ') || 'none'}`)
  return wanted
}

function acmeRow(status: DomainStatus, fileWins: boolean): TlsEntry {
  const c = status.certificate
  return {
    host: status.domain,
    source: 'acme',
    ...(c ? { issuer: c.issuer, serial: c.serial, notAfter: c.notAfter } : {}),
    acme: {
      state: status.state,
      failures: status.failures,
      ...(status.nextAttempt ? { nextAttempt: status.nextAttempt } : {}),
      ...(status.lastError ? { lastError: status.lastError } : {}),
    },
    ...(fileWins ? { note: 'not served: a file takes precedence' } : {}),
  }
}

function tlsAdmin(
  certificates: TlsCertificates,
  served: ServedCertificates,
  manager: () => CertificateManager | undefined,
  acmeVhosts: () => readonly string[],
  log: Log,
): TlsAdmin {
  const status = (host: string): DomainStatus | undefined => manager()?.list().find((s) => s.domain === host)
  return {
    async list() {
      const rows: TlsEntry[] = certificates
        .list()
        .filter((l) => l.source !== 'acme')
        .map((l) => ({ host: l.host, source: l.source, issuer: l.certificate.issuer, serial: l.certificate.serial, notAfter: l.certificate.notAfter }))
      for (const s of manager()?.list() ?? []) rows.push(acmeRow(s, served.files.has(s.domain)))
      return rows
    },
    async issue(vhost, { renew }, actor) {
      const host = normaliseVhost(vhost)
      if (!host || !manager() || !acmeVhosts().includes(host)) {
        throw new EverlockError('TLS_NOT_ACME', `${vhost.slice(0, 80)} is not an ACME vhost (list it in [acme] vhosts of config/tls.toml)`)
      }
      const before = status(host)
      if (!renew && before?.state === 'valid' && before.certificate) {
        throw new EverlockError('TLS_CERT_VALID', `${host} has a valid certificate until ${before.certificate.notAfter.toISOString()}; /tls renew ${host} replaces it`)
      }
      log.info(`tls: ${host}: ${renew ? 'renewal' : 'issuance'} requested by ${actor.by}`)
      await manager()!.issue(host)
      return acmeRow(status(host)!, served.files.has(host))
    },
  }
}
