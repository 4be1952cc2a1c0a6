import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import express, { type Express } from 'express'
import type { Auth, Identity } from '@everlock/auth-grants'
import { createAuthorizer, createIdentify, createPasswordCheck, DEFAULT_REALM, defaultClientAddress } from './authorizer.js'
import { createCredentialCache, type CredentialCache } from './credential-cache.js'
import { createDispatch, UNKNOWN_HOST } from './dispatch.js'
import { renderEdgeError } from './edge-error.js'
import { HttpFrontendError } from './errors.js'
import { HttpMetrics } from './http-metrics.js'
import { parseListenAddress } from './listen-address.js'
import { startServer, stopServer, type ServerTimeouts } from './server.js'
import { plainText } from './render-error.js'
import { normaliseTarget } from './request-target.js'
import { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from './throttle.js'
import type { Authorize, Logger } from './types.js'
import { unknownHost } from './unknown-host.js'
import { createVhostTable, type VhostTable } from './vhosts.js'
import { createTlsCertificates, type TlsCertificates } from './tls-certificates.js'
import { plainListenerExtras, type PlainHttpOptions } from './plain-http.js'

export interface HttpFrontendOptions {
  /** Needed for `authorizer()` and for vhost entries that do not authorize themselves. */
  auth?: Auth
  /**
   * Prometheus listener, default `127.0.0.1:9464`; `''` disables it. `outOfBandBytes` reports response body
   * bytes a backend wrote past Node's socket (sendfile(2)), which the byte counter cannot see otherwise.
   */
  metrics?: { listen: string; outOfBandBytes?: (res: ServerResponse) => number }
  log?: Logger
  /** Express's `trust proxy` setting; when set, failed logins are counted per `req.ip`. */
  trustProxy?: boolean | number | string | string[]
  /** `WWW-Authenticate: Basic realm="…"` (default `Everlock`). */
  realm?: string
  /** Session cookie name (default `everlock_session`); `false` ignores cookies. */
  sessionCookie?: string | false
  credentialCache?: { ttlMs?: number; rememberMs?: number; maxEntries?: number; maxChecks?: number }
  throttle?: LoginThrottleOptions
  timeouts?: ServerTimeouts
  /** How long `close()` waits for in-flight requests before cutting them (default 10 s). */
  drainMs?: number
  /** `/readyz` answers 200 while this says true (default: always, until `close()`). */
  ready?: () => boolean | Promise<boolean>
  /** Whether the answer to an unknown host names the served host names (default true). */
  listServedHosts?: boolean
  /** The HTTPS listeners' certificates (SNI table); one is made when not given. */
  tls?: TlsCertificates
  /** What plain-HTTP listeners do besides serving: ACME HTTP-01 answers, redirecting browsers to HTTPS. */
  plainHttp?: PlainHttpOptions
}

export interface HttpFrontend {
  /** The Express app; routes added to it serve hosts that are not in the vhost table. */
  readonly app: Express
  readonly vhosts: VhostTable
  /** The `authorize` function for a backend instance on `accessPath`, sharing this frontend's caches. */
  authorizer(accessPath: string): Authorize
  /**
   * A login form's password check (web apps' sessions), cached and throttled per client address exactly as
   * Basic auth: undefined for a wrong password; rejects with `LOGIN_THROTTLED` (429) / `LOGIN_OVERLOADED` (503,
   * `retryAfterSeconds` set) when it cannot be checked now. Needs the frontend to have auth.
   */
  checkPassword(req: IncomingMessage, user: string, password: string): Promise<Identity | undefined>
  readonly credentialCache: CredentialCache | undefined
  readonly throttle: LoginThrottle
  /** Prometheus text of the current metrics (also served by the metrics listener). */
  metricsText(): string
  /** Port of the metrics listener once started by the first `listen()`. */
  readonly metricsPort: number | undefined
  /** Certificates of the HTTPS listeners, by SNI name; changes apply to the next handshake. */
  readonly tls: TlsCertificates
  /** Listens on `host:port` (`[::1]:8080`, port 0 = any); may be called for several addresses. */
  listen(address: string): Promise<{ port: number; metricsPort?: number }>
  /** Listens for HTTPS (TLS 1.2+, certificates from `tls`) on `host:port`; may be called for several addresses. */
  listenHttps(address: string): Promise<{ port: number; metricsPort?: number }>
  /** Stops accepting, finishes in-flight requests (up to `drainMs`), closes the metrics listener. */
  close(): Promise<void>
}

export function createHttpFrontend(options: HttpFrontendOptions = {}): HttpFrontend {
  const { auth } = options
  const log = options.log ?? {}
  const metricsListen = options.metrics?.listen ?? '127.0.0.1:9464'
  const metricsAddress = metricsListen === '' ? undefined : parseListenAddress(metricsListen)
  const drainMs = options.drainMs ?? 10_000
  const metrics = new HttpMetrics(options.metrics?.outOfBandBytes)
  const throttle = createLoginThrottle(options.throttle)
  const credentialCache = auth ? createCredentialCache({ auth, ...options.credentialCache }) : undefined
  const authorizers = new Map<string, Authorize>()
  const servers: Server[] = []
  let metricsServer: Promise<{ server: Server; port: number }> | undefined
  let metricsPort: number | undefined
  let closing = false

  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy)
  const clientAddress =
    options.trustProxy === undefined ? defaultClientAddress : (req: IncomingMessage) => (req as express.Request).ip ?? defaultClientAddress(req)

  const identify =
    auth && credentialCache
      ? createIdentify({ auth, cache: credentialCache, throttle, sessionCookie: options.sessionCookie, clientAddress, log })
      : undefined

  const passwordCheck =
    auth && credentialCache ? createPasswordCheck({ auth, cache: credentialCache, throttle, clientAddress, log }) : undefined

  function checkPassword(req: IncomingMessage, user: string, password: string): Promise<Identity | undefined> {
    if (!passwordCheck) return Promise.reject(new HttpFrontendError('OPTIONS_INVALID', 'checkPassword() needs the frontend to have auth'))
    return passwordCheck(req, user, password)
  }

  function authorizer(accessPath: string): Authorize {
    if (!auth || !credentialCache) throw new HttpFrontendError('OPTIONS_INVALID', 'authorizer() needs the frontend to have auth')
    let authorize = authorizers.get(accessPath)
    if (!authorize) {
      authorize = createAuthorizer({
        auth,
        accessPath,
        realm: options.realm ?? DEFAULT_REALM,
        cache: credentialCache,
        throttle,
        sessionCookie: options.sessionCookie,
        clientAddress,
        log,
      })
      authorizers.set(accessPath, authorize)
    }
    return authorize
  }

  const vhosts = createVhostTable({
    validate(host, entry) {
      if (!entry.authorizesItself && !auth) {
        throw new HttpFrontendError('VHOST_INVALID', `vhost ${host}: the default check needs the frontend to have auth`)
      }
    },
  })

  app.use(
    createDispatch({
      vhosts,
      metrics,
      log,
      authorizerFor: authorizer,
      ...(identify ? { identify } : {}),
      ready: async () => !closing && (options.ready ? Boolean(await options.ready()) : true),
    }),
  )

  // Host and target checks first (400), then the app; what nothing in it handled is an unknown host (421) or an error (500).
  const listServedHosts = options.listServedHosts ?? true
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const problem = normaliseTarget(req)
    if (problem) {
      metrics.track(req, res, UNKNOWN_HOST)
      res.setHeader('Connection', 'close')
      return renderEdgeError(req, res, { status: 400, code: problem.code, ociCode: 'NAME_INVALID', message: problem.message })
    }
    app(req as express.Request, res as express.Response, (err?: unknown) => {
      if (err) {
        log.error?.('request failed', { error: err instanceof Error ? err.message : String(err) })
        return plainText(res, 500)
      }
      renderEdgeError(req, res, unknownHost(req, vhosts.list().map((e) => e.host), listServedHosts))
    })
  }

  const tls = options.tls ?? createTlsCertificates()
  const plainListener = plainListenerExtras(listener, options.plainHttp)

  async function startMetrics(): Promise<number | undefined> {
    if (!metricsAddress) return undefined
    metricsServer ??= startServer((req, res) => {
      if ((req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').split('?', 1)[0] === '/metrics') {
        const body = metrics.render()
        res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
        res.setHeader('Content-Length', Buffer.byteLength(body))
        res.end(req.method === 'HEAD' ? undefined : body)
        return
      }
      plainText(res, 404)
    }, metricsAddress)
    try {
      metricsPort = (await metricsServer).port
    } catch (err) {
      metricsServer = undefined
      throw err
    }
    return metricsPort
  }

  async function listenOn(address: string, https: boolean): Promise<{ port: number; metricsPort?: number }> {
    if (closing) throw new HttpFrontendError('CLOSED', 'the frontend is closed')
    const parsed = parseListenAddress(address)
    const mPort = await startMetrics()
    const { server, port } = await startServer(https ? listener : plainListener, parsed, options.timeouts, https ? tls : undefined)
    servers.push(server)
    return mPort === undefined ? { port } : { port, metricsPort: mPort }
  }

  return {
    app,
    vhosts,
    authorizer,
    checkPassword,
    credentialCache,
    throttle,
    metricsText: () => metrics.render(),
    get metricsPort() {
      return metricsPort
    },
    tls,
    listen: (address) => listenOn(address, false),
    listenHttps: (address) => listenOn(address, true),
    async close() {
      closing = true
      const stopping = servers.splice(0).map((s) => stopServer(s, drainMs))
      if (metricsServer) {
        const pending = metricsServer
        metricsServer = undefined
        stopping.push(pending.then(({ server }) => stopServer(server, 1000), () => undefined))
      }
      await Promise.all(stopping)
      credentialCache?.close()
    },
  }
}
