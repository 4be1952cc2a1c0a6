import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { HttpFrontendError } from './errors.js'
import { holdContinue } from './expect-continue.js'
import type { ListenAddress } from './listen-address.js'
import { DEFAULT_BODY_RATE, enforceBodyRate, type BodyRate } from './body-rate.js'
import { TLS_SETTINGS, type TlsCertificates } from './tls-certificates.js'

/** Limits for slow or stuck clients. */
export interface ServerTimeouts {
  /** Time to receive the request headers (default 30 s). */
  headersMs?: number
  /** Time to receive a whole request, body included; sized for big uploads (default 1 h, 0 = none). */
  requestMs?: number
  /** A connection with no traffic either way for this long is closed (default 120 s, 0 = never). */
  idleMs?: number
  /** How long an idle keep-alive connection stays open (default 10 s). */
  keepAliveMs?: number
  /** Minimum body rate; a request body arriving slower is cut (default 16 KiB per 20 s; false = none). */
  bodyRate?: BodyRate | false
}

/**
 * An HTTP/1.1 server (HTTPS when `tls` is given: TLS 1.2+, AEAD suites, certificates per SNI name from the
 * live table) with the frontend's limits for slow or stuck clients.
 */
export function startServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  address: ListenAddress,
  timeouts: ServerTimeouts = {},
  tls?: TlsCertificates,
): Promise<{ server: Server; port: number }> {
  const requestMs = timeouts.requestMs ?? 3_600_000
  const headersMs = Math.min(timeouts.headersMs ?? 30_000, requestMs === 0 ? Infinity : requestMs)
  const http = {
    requestTimeout: requestMs,
    headersTimeout: headersMs,
    keepAliveTimeout: timeouts.keepAliveMs ?? 10_000,
    // how often the header/request deadlines are checked (Node's default of 30 s is coarse)
    connectionsCheckingInterval: Math.max(100, Math.min(1000, headersMs / 2)),
  }
  const server: Server = tls ? httpsServer(listener, http, tls, headersMs) : createServer(http, listener)
  const bodyRate = timeouts.bodyRate ?? DEFAULT_BODY_RATE
  if (bodyRate) server.on('request', (req: IncomingMessage, res: ServerResponse) => enforceBodyRate(req, res, bodyRate))
  // Expect: 100-continue is answered by the dispatcher once the request passed the edge's checks.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    holdContinue(req)
    if (bodyRate) enforceBodyRate(req, res, bodyRate)
    listener(req, res)
  })
  const idleMs = timeouts.idleMs ?? 120_000
  server.setTimeout(idleMs, (socket) => socket.destroy())
  // Node's headersTimeout starts at a request's first byte: a connection that never sends one is only
  // bounded by the idle timeout. Give it headersMs to start, then the usual idle timeout per request.
  server.on('connection', (socket: Socket) => socket.setTimeout(Math.min(headersMs, idleMs || Infinity)))
  server.on('request', (req: IncomingMessage) => req.socket.setTimeout(idleMs))
  return new Promise((resolve, reject) => {
    const onError = (cause: Error): void =>
      reject(new HttpFrontendError('LISTEN_FAILED', `cannot listen on ${address.host}:${address.port}`, { cause }))
    server.once('error', onError)
    server.listen(address.port, address.host, () => {
      server.off('error', onError)
      const bound = server.address()
      resolve({ server, port: typeof bound === 'object' && bound ? bound.port : address.port })
    })
  })
}

function httpsServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  http: Record<string, number>,
  tls: TlsCertificates,
  handshakeMs: number,
): Server {
  const server = createHttpsServer(
    {
      ...http,
      ...TLS_SETTINGS,
      // a client that does not finish its handshake in time is cut, like one that sends no headers
      handshakeTimeout: handshakeMs,
      SNICallback: (servername, cb) => {
        const ctx = tls.contextFor(servername)
        if (ctx) cb(null, ctx)
        else cb(new Error(`no certificate for ${servername}`))
      },
    },
    listener,
  )
  // Clients that send no server name get the default certificate, swapped live like the others.
  const useDefault = (): void => {
    const pair = tls.defaultPair()
    if (pair) server.setSecureContext({ ...pair, ...TLS_SETTINGS })
  }
  useDefault()
  const stop = tls.onDefaultChange(useDefault)
  server.once('close', stop)
  // garbage, a refused name, an aborted handshake: that connection ends, nothing else
  server.on('tlsClientError', (_err: Error, socket: TLSSocket) => socket.destroy())
  return server as unknown as Server
}

/**
 * Stops accepting, lets in-flight requests finish (idle keep-alive connections are closed as they
 * become idle), and cuts whatever is left after `drainMs`.
 */
export function stopServer(server: Server, drainMs: number): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => server.closeIdleConnections(), 50)
    const force = setTimeout(() => server.closeAllConnections(), drainMs)
    server.close(() => {
      clearInterval(poll)
      clearTimeout(force)
      resolve()
    })
    server.closeIdleConnections()
  })
}
