import type { IncomingMessage, ServerResponse } from 'node:http'
import { roleForMethod } from '@everlock/auth-grants'
import { goOn } from './expect-continue.js'
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
  ready(): Promise<boolean>
}

type Next = (err?: unknown) => void

const UNKNOWN_HOST = { backend: 'none', instance: 'none' }
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
    if (entry.authorizesItself) return invoke(ctx, entry, req, res)
    ctx
      .authorizerFor(entry.accessPath)(req, { path: '', role: roleForMethod(req.method ?? '') })
      .then((result) => {
        if (result.ok) return invoke(ctx, entry, req, res)
        ;(entry.renderError ?? renderPlainError)(res, result.status, result.challenge)
      })
      .catch((err: unknown) => failed(ctx, entry, res, err))
  }
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
