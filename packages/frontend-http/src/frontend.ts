import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import express, { type Express } from 'express'
import type { Auth } from '@everlock/auth-grants'
import { createAuthorizer, DEFAULT_REALM, defaultClientAddress } from './authorizer.js'
import { createCredentialCache, type CredentialCache } from './credential-cache.js'
import { createDispatch } from './dispatch.js'
import { HttpFrontendError } from './errors.js'
import { HttpMetrics } from './http-metrics.js'
import { parseListenAddress } from './listen-address.js'
import { startServer, stopServer, type ServerTimeouts } from './server.js'
import { plainText } from './render-error.js'
import { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from './throttle.js'
import type { Authorize, Logger } from './types.js'
import { createVhostTable, type VhostTable } from './vhosts.js'

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
  credentialCache?: { ttlMs?: number; maxEntries?: number }
  throttle?: LoginThrottleOptions
  timeouts?: ServerTimeouts
  /** How long `close()` waits for in-flight requests before cutting them (default 10 s). */
  drainMs?: number
  /** `/readyz` answers 200 while this says true (default: always, until `close()`). */
  ready?: () => boolean | Promise<boolean>
}

export interface HttpFrontend {
  /** The Express app; routes added to it serve hosts that are not in the vhost table. */
  readonly app: Express
  readonly vhosts: VhostTable
  /** The `authorize` function for a backend instance on `accessPath`, sharing this frontend's caches. */
  authorizer(accessPath: string): Authorize
  readonly credentialCache: CredentialCache | undefined
  readonly throttle: LoginThrottle
  /** Prometheus text of the current metrics (also served by the metrics listener). */
  metricsText(): string
  /** Port of the metrics listener once started by the first `listen()`. */
  readonly metricsPort: number | undefined
  /** Listens on `host:port` (`[::1]:8080`, port 0 = any); may be called for several addresses. */
  listen(address: string): Promise<{ port: number; metricsPort?: number }>
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
      ready: async () => !closing && (options.ready ? Boolean(await options.ready()) : true),
    }),
  )

  // What nothing in the app handled: an unknown host (404) or an error (500).
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    app(req as express.Request, res as express.Response, (err?: unknown) => {
      if (err) {
        log.error?.('request failed', { error: err instanceof Error ? err.message : String(err) })
        return plainText(res, 500)
      }
      plainText(res, 404, 'unknown host\n')
    })
  }

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

  return {
    app,
    vhosts,
    authorizer,
    credentialCache,
    throttle,
    metricsText: () => metrics.render(),
    get metricsPort() {
      return metricsPort
    },
    async listen(address) {
      if (closing) throw new HttpFrontendError('CLOSED', 'the frontend is closed')
      const parsed = parseListenAddress(address)
      const mPort = await startMetrics()
      const { server, port } = await startServer(listener, parsed, options.timeouts)
      servers.push(server)
      return mPort === undefined ? { port } : { port, metricsPort: mPort }
    },
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
