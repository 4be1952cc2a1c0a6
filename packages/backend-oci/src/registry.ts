import type { IncomingMessage, ServerResponse } from 'node:http'
import type { OciRegistry, OciRegistryOptions } from './types'
import type { RequestContext } from './context'
import { makeRequire } from './context'
import { OciError } from './errors'
import { fromStorageError } from './storage-errors'
import { API_VERSION_HEADER, sendError, sendJson } from './http'
import { ALLOWED, matchRoute, type Route } from './routes'
import { assertName } from './names'
import { deleteBlob, getBlob } from './blobs'
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './uploads'
import { UploadSessions } from './upload-sessions'
import { deleteManifest, getManifest, putManifest } from './manifests'
import { listCatalog, listReferrers, listTags } from './listing'
import { ManifestCache } from './manifest-cache'

const MINUTE = 60 * 1000
const DAY = 24 * 60 * MINUTE
const DEFAULT_MAX_UPLOADS = 100
/** A store upload of this registry without a session record is left alone this long (it may be opening now). */
const UNRECORDED_GRACE_MS = MINUTE

/**
 * An OCI Distribution v1.1 registry over an Everlock store, as a plain Node request listener:
 * mount it in `node:http`, Express (`app.use(registry)`) or any Node server.
 */
export function createOciRegistry(options: OciRegistryOptions): OciRegistry {
  const { store, authorize } = options
  const maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024
  const ttl = options.uploadTtlMs ?? DAY
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`backend-oci: ${message}`, error))

  const maxUploadsPerUser = options.maxUploadsPerUser ?? DEFAULT_MAX_UPLOADS
  if (!Number.isSafeInteger(maxUploadsPerUser) || maxUploadsPerUser < 1) throw new RangeError(`maxUploadsPerUser must be a whole number ≥ 1, not ${maxUploadsPerUser}`)
  const redirectTtl = options.redirectBlobGets?.expiresInSeconds
  if (redirectTtl !== undefined && (!Number.isSafeInteger(redirectTtl) || redirectTtl < 1 || redirectTtl > 7 * 24 * 3600)) {
    throw new RangeError(`redirectBlobGets.expiresInSeconds must be a whole number from 1 to 604800, not ${redirectTtl}`)
  }
  const manifests = new ManifestCache(16 * 1024 * 1024)
  const sessions = new UploadSessions(store, maxUploadsPerUser)
  const sweepUploads = () => sessions.expire(ttl, UNRECORDED_GRACE_MS)
  const sweep = () => sweepUploads().catch((err: unknown) => log('upload expiry failed', err))
  const timer = setInterval(sweep, Math.max(1000, Math.min(ttl / 4, options.uploadSweepIntervalMs ?? 10 * MINUTE)))
  timer.unref()

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(API_VERSION_HEADER, 'registry/2.0')
    // Route on the path as sent. Resolving it against a base would read `//x` as a host (and throw on
    // `//`), and resolve `..`/`%2e%2e` segments, serving `/v2/a/../b/…` as repository `b`.
    const target = req.url?.startsWith('/') ? req.url : '/'
    const url = new URL(`http://registry.invalid${target}`)
    const sent = target.split('?')[0]!
    const route = matchRoute(sent)
    if (!route) throw new OciError(404, 'NAME_UNKNOWN', 'no such endpoint', { path: sent.slice(0, 200) })
    const method = req.method ?? 'GET'
    if (!ALLOWED[route.kind].includes(method)) {
      throw new OciError(405, 'UNSUPPORTED', `${method} is not supported here`, undefined, { Allow: ALLOWED[route.kind].join(', ') })
    }
    if ('name' in route) assertName(route.name)
    const ctx: RequestContext = { req, res, url, store, maxManifestBytes, manifests, sessions, sendFile: options.sendFile, redirectBlobGets: options.redirectBlobGets, pingChallenge: options.pingChallenge, ...makeRequire(authorize, req) }
    await dispatch(ctx, route, method)
  }

  const registry = ((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      const oci = err instanceof OciError ? err : fromStorageError(err)
      if (oci) {
        drainAndSend(req, res, oci)
        return
      }
      if (res.destroyed || req.destroyed) return // the client went away; nothing to answer
      log(`${req.method} ${req.url?.slice(0, 200)} failed`, err)
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: 'internal error' }] })
    })
  }) as OciRegistry
  registry.close = () => clearInterval(timer)
  registry.sweepUploads = sweepUploads
  return registry
}

async function dispatch(ctx: RequestContext, route: Route, method: string): Promise<void> {
  switch (route.kind) {
    case 'base':
      await base(ctx)
      return
    case 'catalog':
      return listCatalog(ctx)
    case 'tags':
      return listTags(ctx, route.name)
    case 'referrers':
      return listReferrers(ctx, route.name, route.digest)
    case 'manifest':
      if (method === 'PUT') return putManifest(ctx, route.name, route.reference)
      if (method === 'DELETE') return deleteManifest(ctx, route.name, route.reference)
      return getManifest(ctx, route.name, route.reference)
    case 'blob':
      if (method === 'DELETE') return deleteBlob(ctx, route.name, route.digest)
      return getBlob(ctx, route.name, route.digest)
    case 'uploads':
      return startUpload(ctx, route.name)
    case 'upload':
      if (method === 'PATCH') return patchUpload(ctx, route.name, route.id)
      if (method === 'PUT') return finishUpload(ctx, route.name, route.id)
      if (method === 'DELETE') return cancelUpload(ctx, route.name, route.id)
      return uploadStatus(ctx, route.name, route.id)
  }
}

/** GET /v2/ — valid credentials (or allowed anonymous access) get 200; otherwise the challenge. */
async function base(ctx: RequestContext): Promise<void> {
  if (ctx.pingChallenge && !ctx.req.headers.authorization) {
    throw new OciError(401, 'UNAUTHORIZED', 'authentication required', undefined, { 'WWW-Authenticate': ctx.pingChallenge })
  }
  try {
    await ctx.require('', 'reader')
  } catch (err) {
    if (!(err instanceof OciError) || err.status !== 403) throw err
  }
  sendJson(ctx.res, 200, {})
}

/** Answer an error; an unread request body is drained (bounded) so keep-alive connections stay usable. */
function drainAndSend(req: IncomingMessage, res: ServerResponse, err: OciError): void {
  if (req.complete || req.readableEnded) {
    sendError(res, err, req.method)
    return
  }
  res.setHeader('Connection', 'close')
  sendError(res, err, req.method)
  req.resume()
}
