import type { IncomingMessage, ServerResponse } from 'node:http'
import { roleForMethod } from '@everlock/auth-grants'
import { goOn } from './expect-continue.js'
import { busyStatus, type HttpFrontendError } from './errors.js'
import type { HttpMetrics } from './http-metrics.js'
import { plainText, renderPlainError } from './render-error.js'
import type { Authorize, Logger, RequestListener, VhostEntry } from './types.js'
import type { VhostTable } from './vhosts.js'

export interface DispatchContext {
  vhosts: VhostTable
  metrics: HttpMetrics
  log: Logger
  /** The authorize function for an access path (only asked for entries that do not authorize themselves). */
  authorizerFor(accessPath: string): Authorize
  /** Resolves a request's identity (shared with the authorizers); given when the frontend has auth. */
  identify?: (req: IncomingMessage) => Promise<unknown>
  ready(): Promise<boolean>
}

type Next = (err?: unknown) => void

export const UNKNOWN_HOST = { backend: 'none', instance: 'none' }
const HEALTH = { backend: 'frontend', instance: 'health' }
/** Two years, the preload lists' minimum; subdomains are left to their own vhosts. */
const HSTS = 'max-age=63072000'

/** Express middleware: health endpoints on every host, then the vhost's backend; unknown hosts fall through. */
export function createDispatch(ctx: DispatchContext) {
  return function dispatch(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next): void {
    const url = req.originalUrl ?? req.url ?? '/'
    const pathname = url.split('?', 1)[0]
    if ((pathname === '/healthz' || pathname === '/readyz') && (req.method === 'GET' || req.method === 'HEAD')) {
      ctx.metrics.track(req, res, HEALTH)
      if (pathname === '/healthz') return plainText(res, 200, 'ok\n')
      ctx.ready().then(
        (ok) => plainText(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n'),
        () => plainText(res, 503, 'not ready\n'),
      )
      return
    }
    const entry = ctx.vhosts.match(req.headers.host)
    if (!entry) {
      ctx.metrics.track(req, res, UNKNOWN_HOST)
      return next()
    }
    ctx.metrics.track(req, res, entry)
    if (entry.hsts && (req.socket as { encrypted?: boolean }).encrypted) res.setHeader('Strict-Transport-Security', HSTS)
    req.url = url // backends see the URL exactly as the client sent it
    // A password is checked before the backend runs, so that one that cannot be checked now is answered
    // here (429/503 + Retry-After, in the entry's format); the backend's own authorize reuses the result.
    const checking = ctx.identify && carriesBasic(req) ? ctx.identify(req) : undefined
    if (!checking) return proceed(ctx, entry, req, res)
    checking.then(
      () => proceed(ctx, entry, req, res),
      (err: unknown) => refuse(ctx, entry, res, err),
    )
  }
}

const carriesBasic = (req: IncomingMessage): boolean => (req.headers.authorization ?? '').slice(0, 6).toLowerCase() === 'basic '

/** The default check (for entries that do not authorize themselves), then the backend. */
function proceed(ctx: DispatchContext, entry: VhostEntry, req: IncomingMessage, res: ServerResponse): void {
  if (entry.authorizesItself) return invoke(ctx, entry, req, res)
  ctx
    .authorizerFor(entry.accessPath)(req, { path: '', role: roleForMethod(req.method ?? '') })
    .then((result) => {
      if (result.ok) return invoke(ctx, entry, req, res)
      ;(entry.renderError ?? renderPlainError)(res, result.status, result.challenge)
    })
    .catch((err: unknown) => refuse(ctx, entry, res, err))
}

/** A password that cannot be checked now answers 429/503 with Retry-After; anything else is a failure. */
function refuse(ctx: DispatchContext, entry: VhostEntry, res: ServerResponse, err: unknown): void {
  const status = busyStatus(err)
  if (status === undefined) return failed(ctx, entry, res, err)
  // not logged (a client can cause these as fast as it can send), counted instead
  ctx.metrics.loginRefusals.inc({ reason: status === 429 ? 'throttled' : 'overloaded' })
  if (!res.headersSent) res.setHeader('Retry-After', String((err as HttpFrontendError).retryAfterSeconds ?? 1))
  ;(entry.renderError ?? renderPlainError)(res, status)
}

function invoke(ctx: DispatchContext, entry: VhostEntry, req: IncomingMessage, res: ServerResponse): void {
  const handler: RequestListener = entry.handler
  goOn(req, res)
  try {
    const result = handler(req, res)
    if (result && typeof result.then === 'function') result.then(undefined, (err: unknown) => failed(ctx, entry, res, err))
  } catch (err) {
    failed(ctx, entry, res, err)
  }
}

function failed(ctx: DispatchContext, entry: VhostEntry, res: ServerResponse, err: unknown): void {
  ctx.log.error?.('request failed', {
    backend: entry.backend,
    instance: entry.instance,
    error: err instanceof Error ? err.message : String(err),
    code: (err as { code?: unknown } | null)?.code,
  })
  plainText(res, 500)
}
