import { generateKeyPairSync } from 'node:crypto'
import { checkKeyPair, renewalTime, type CertificateInfo } from './certificate.js'
import { createAcmeClient, type AcmeClient } from './client.js'
import { AcmeError, isAcmeError } from './errors.js'
import type { AcmeFetch } from './http.js'
import { accountKeyFromPem, accountKeyPem, generateAccountKey, type AccountKey } from './jws.js'

/**
 * Where the manager keeps its account key and certificates (the app: the `everlock-system` store). Each
 * `write` is one atomic change (a commit) with a message saying what happened.
 */
export interface AcmeStorage {
  read(path: string): Promise<string | undefined>
  write(files: Record<string, string>, message: string): Promise<void>
}

/** A certificate ready to serve, handed to the TLS layer when issued, renewed or loaded at start. */
export interface IssuedCertificate {
  readonly domain: string
  readonly certPem: string
  readonly keyPem: string
  readonly info: CertificateInfo
}

export type DomainState = 'missing' | 'valid' | 'issuing' | 'failed'

export interface DomainStatus {
  readonly domain: string
  readonly state: DomainState
  readonly certificate?: CertificateInfo
  /** When the next issuance or renewal attempt is due. */
  readonly nextAttempt?: Date
  readonly failures: number
  readonly lastError?: string
}

export interface CertificateManagerOptions {
  readonly directoryUrl: string
  readonly fetch: AcmeFetch
  readonly storage: AcmeStorage
  readonly contact?: readonly string[]
  /** Called with every certificate that becomes current (loaded, issued, renewed). */
  readonly onCertificate: (cert: IssuedCertificate) => void
  readonly log?: { info(message: string): void; error(message: string): void }
  /** First backoff after a failed attempt (default 5 min); doubles per failure up to `maxRetryMs` (default 12 h). */
  readonly retryBaseMs?: number
  readonly maxRetryMs?: number
  /** Due work found at start is spread over this window (default 10 min), so a restart is never a renewal storm. */
  readonly startSpreadMs?: number
  /** Polling of ACME objects (default 1000 ms). */
  readonly pollMs?: number
  readonly now?: () => number
  readonly random?: () => number
}

export interface CertificateManager {
  /** Load stored certificates (handing each to `onCertificate`) and schedule the given domains. */
  start(domains: readonly string[]): Promise<void>
  /** Add or drop domains to keep certificates for (a vhost opting in or out); new ones are issued soon. */
  setDomains(domains: readonly string[]): void
  /** Issue (or renew) a certificate now, whatever its expiry; resolves when it is current. */
  issue(domain: string): Promise<IssuedCertificate>
  list(): DomainStatus[]
  /** The key authorization to answer `GET /.well-known/acme-challenge/<token>` with, while a challenge runs. */
  challengeResponse(token: string): string | undefined
  close(): void
}

interface Domain {
  name: string
  cert?: IssuedCertificate
  state: DomainState
  due: number
  failures: number
  lastError?: string
  timer?: NodeJS.Timeout
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const ACCOUNT_KEY = 'acme/account-key.pem'
const certPath = (domain: string): string => `acme/certs/${domain}/cert.pem`
const keyPath = (domain: string): string => `acme/certs/${domain}/key.pem`
/** setTimeout's limit; longer waits are re-armed. */
const MAX_TIMER = 2 ** 31 - 1

/**
 * Keeps one certificate per opted-in domain current: issued when missing, renewed a third of its lifetime
 * before expiry, retried with exponential backoff after failures, one issuance at a time.
 */
export function createCertificateManager(options: CertificateManagerOptions): CertificateManager {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const retryBase = options.retryBaseMs ?? 300_000
  const retryMax = options.maxRetryMs ?? 12 * 3_600_000
  const spread = options.startSpreadMs ?? 600_000
  const log = options.log
  const domains = new Map<string, Domain>()
  const challenges = new Map<string, string>()
  let client: Promise<AcmeClient> | undefined
  let chain: Promise<unknown> = Promise.resolve()
  let closed = false

  function getClient(): Promise<AcmeClient> {
    client ??= (async () => {
      const stored = await options.storage.read(ACCOUNT_KEY)
      let key: AccountKey
      if (stored) key = accountKeyFromPem(stored)
      else {
        key = generateAccountKey()
        await options.storage.write({ [ACCOUNT_KEY]: accountKeyPem(key) }, 'acme: new account key')
      }
      return createAcmeClient({
        directoryUrl: options.directoryUrl,
        accountKey: key,
        fetch: options.fetch,
        ...(options.contact ? { contact: options.contact } : {}),
        ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      })
    })()
    client.catch(() => (client = undefined))
    return client
  }

  function schedule(d: Domain, at: number): void {
    clearTimeout(d.timer)
    d.due = at
    if (closed) return
    const wait = Math.min(Math.max(0, at - now()), MAX_TIMER)
    d.timer = setTimeout(() => {
      if (now() + 1000 < d.due) return schedule(d, d.due)
      void enqueue(d).catch(() => undefined)
    }, wait)
    d.timer.unref()
  }

  /** One issuance at a time, in order. */
  function enqueue(d: Domain): Promise<IssuedCertificate> {
    const run = chain.then(() => attempt(d))
    chain = run.catch(() => undefined)
    return run
  }

  async function attempt(d: Domain): Promise<IssuedCertificate> {
    if (closed) throw new AcmeError('CLOSED', 'the certificate manager is closed')
    d.state = 'issuing'
    try {
      const acme = await getClient()
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      const certPem = await acme.issue({
        domains: [d.name],
        key,
        http01: { add: (token, auth) => challenges.set(token, auth), remove: (token) => challenges.delete(token) },
      })
      const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString()
      const { info } = checkKeyPair(certPem, keyPem, d.name)
      const renewal = d.cert !== undefined
      await options.storage.write({ [certPath(d.name)]: certPem, [keyPath(d.name)]: keyPem }, `acme: certificate for ${d.name} ${renewal ? 'renewed' : 'issued'} by ${info.issuer} (serial ${info.serial}, until ${info.notAfter.toISOString()})`)
      const cert: IssuedCertificate = { domain: d.name, certPem, keyPem, info }
      d.cert = cert
      d.state = 'valid'
      d.failures = 0
      delete d.lastError
      options.onCertificate(cert)
      log?.info(`acme: certificate for ${d.name} ${renewal ? 'renewed' : 'issued'}, valid until ${info.notAfter.toISOString()}`)
      if (domains.get(d.name) === d) schedule(d, renewalTime(info))
      return cert
    } catch (err) {
      d.failures++
      d.lastError = err instanceof Error ? err.message : String(err)
      d.state = d.cert ? 'valid' : 'failed'
      if (isAcmeError(err, 'CLOSED')) throw err
      const backoff = Math.min(retryMax, retryBase * 2 ** (d.failures - 1))
      log?.error(`acme: ${d.name}: ${d.lastError}; next attempt in ${Math.round(backoff / 1000)} s`)
      if (domains.get(d.name) === d) schedule(d, now() + backoff * (0.8 + 0.2 * random()))
      throw err
    }
  }

  function checkDomain(name: string): string {
    const domain = name.trim().toLowerCase().replace(/\.$/, '')
    if (!DOMAIN.test(domain)) throw new AcmeError('OPTIONS_INVALID', `not a DNS name: '${name.slice(0, 80)}'`)
    return domain
  }

  function add(name: string, spreadMs: number): Domain {
    const existing = domains.get(name)
    if (existing) return existing
    const d: Domain = { name, state: 'missing', due: 0, failures: 0 }
    domains.set(name, d)
    schedule(d, now() + random() * spreadMs)
    return d
  }

  return {
    async start(list) {
      for (const name of list.map(checkDomain)) {
        const d = add(name, spread)
        const [certPem, keyPem] = await Promise.all([options.storage.read(certPath(name)), options.storage.read(keyPath(name))])
        if (!certPem || !keyPem) continue
        try {
          const { info } = checkKeyPair(certPem, keyPem, name)
          d.cert = { domain: name, certPem, keyPem, info }
          d.state = 'valid'
          options.onCertificate(d.cert)
          // Not due yet: wait for the renewal time; due: somewhere in the start window, not all at once.
          const renewAt = renewalTime(info)
          schedule(d, renewAt > now() ? renewAt : now() + random() * spread)
        } catch (err) {
          log?.error(`acme: stored certificate for ${name} is unusable (${err instanceof Error ? err.message : String(err)}); a new one will be issued`)
        }
      }
    },

    setDomains(list) {
      const wanted = new Set(list.map(checkDomain))
      for (const [name, d] of domains) {
        if (!wanted.has(name)) {
          clearTimeout(d.timer)
          domains.delete(name)
        }
      }
      for (const name of wanted) add(name, Math.min(spread, 5_000))
    },

    issue(name) {
      const domain = checkDomain(name)
      const d = domains.get(domain) ?? add(domain, spread)
      clearTimeout(d.timer)
      return enqueue(d)
    },

    list() {
      return [...domains.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((d) => ({
          domain: d.name,
          state: d.state,
          failures: d.failures,
          ...(d.cert ? { certificate: d.cert.info } : {}),
          ...(d.due ? { nextAttempt: new Date(d.due) } : {}),
          ...(d.lastError ? { lastError: d.lastError } : {}),
        }))
    },

    challengeResponse(token) {
      return challenges.get(token)
    },

    close() {
      closed = true
      for (const d of domains.values()) clearTimeout(d.timer)
    },
  }
}
