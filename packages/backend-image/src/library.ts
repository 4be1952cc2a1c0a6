import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JobStatus } from '@everlock/jobs'
import type { ImageLibrary, ImageLibraryOptions, Role } from './types.js'
import { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { sendHttpError, toHttpError } from './http-errors.js'
import { applySecurityHeaders, sendEmpty, sendJson } from './http.js'
import { ALLOWED, matchRoute, needFor, type Route } from './routes.js'
import { checkCsrfToken, checkSameOrigin, isChanging } from './csrf.js'
import { currentSession, isSessionRequest, login, logout, type SessionContext } from './session-routes.js'
import { createGallery } from './gallery.js'
import { createAlbum, deleteAlbum, getAlbum, listAlbums, patchAlbum } from './albums.js'
import { createShare, describeShare, listShares, openShare, revokeShare, shareTokenOf } from './shares.js'
import { serveWebAsset } from './web-assets.js'
import { attachHandler } from './job-kinds.js'
import { DERIVE_AUTHOR, deriveHandler, recordFailure } from './derive-work.js'
import { derivativeSpecsFor } from './media/index.js'
import { CAPTION_AUTHOR, captionHandler } from './caption-work.js'
import { upload } from './upload.js'
import { listAssets, timeline } from './listing.js'
import { deleteAsset, getAsset, patchAsset, recaption } from './item.js'
import { serveFile } from './files.js'
import type { AssetRecord } from './record.js'

const GiB = 1024 * 1024 * 1024
const DEFAULT_SESSION_COOKIE = 'everlock_session'

/**
 * A media library over an Everlock store, as a plain Node request listener: mount it in `node:http`,
 * Express (`app.use(library)`) or any Node server. Derived work runs as jobs on the given queue.
 */
export function createImageLibrary(options: ImageLibraryOptions): ImageLibrary {
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`backend-image: ${message}`, error))
  const limits = {
    maxUploadBytes: options.limits?.maxUploadBytes ?? 8 * GiB,
    maxPixels: options.limits?.maxPixels,
    maxFilesPerUpload: options.limits?.maxFilesPerUpload ?? 100,
  }
  const redirectTtl = options.redirectOriginals?.expiresInSeconds
  if (redirectTtl !== undefined && (!Number.isSafeInteger(redirectTtl) || redirectTtl < 1 || redirectTtl > 7 * 24 * 3600)) {
    throw new RangeError(`redirectOriginals.expiresInSeconds must be a whole number from 1 to 604800, not ${redirectTtl}`)
  }
  const core = new LibraryCore(options.store, options.jobs, limits, log, options.describe, options.sendFile, options.redirectOriginals)
  const custom = options.derivatives
  const specsFor = (record: AssetRecord) => custom ?? derivativeSpecsFor(record, { avif: options.avif === true })
  const afterDerived = (record: AssetRecord) => core.startCaption(record)
  const concurrency = options.concurrency ?? 2
  let closed = false
  /** Work started outside requests (failure records, re-enqueues): close() waits for it. */
  const background = new Set<Promise<unknown>>()
  const track = (work: Promise<unknown>) => {
    background.add(work)
    void work.finally(() => background.delete(work))
  }

  const detach = [attachHandler(core.jobs, core.kinds.derive, deriveHandler(core.store, core.records, limits.maxPixels, specsFor, afterDerived), { concurrency })]
  if (options.describe) detach.push(attachHandler(core.jobs, core.kinds.caption, captionHandler(core.store, core.records, options.describe), { concurrency: 1 }))
  const unsubscribe = core.jobs.onSettled((job: JobStatus) => {
    if (job.state !== 'failed') return
    const work = job.kind === core.kinds.derive ? 'derive' : job.kind === core.kinds.caption ? 'caption' : undefined
    if (!work) return
    log(`${work} job ${job.id} failed: ${job.lastError?.code ?? ''} ${job.lastError?.message ?? ''}`)
    track(
      recordFailure(core.records, work, job, work === 'derive' ? DERIVE_AUTHOR : CAPTION_AUTHOR)
        .then(() => core.index.sync())
        .catch((err: unknown) => log(`could not record the failure of job ${job.id}`, err)),
    )
  })

  const ready = core.index.build()
  track(ready.then(
    async () => {
      // Items committed but never enqueued (the process died in between, or the queue is new) get their work
      // now, in the background; enqueue is idempotent.
      for (const item of core.index.pending()) if (!closed) await core.startDerive({ id: item.id, digest: `sha256:${item.id}` })
    },
    (err: unknown) => log('could not open the library index', err),
  ).catch((err: unknown) => log('could not re-enqueue pending derived work', err)))

  const gallery = createGallery(core, options.now ?? Date.now, options.publicUrl)
  const sessionContext: SessionContext = { authorize: options.authorize, sessions: options.sessions, cookieName: options.sessionCookie ?? DEFAULT_SESSION_COOKIE }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url?.startsWith('/') ? req.url : '/'
    const path = target.split('?')[0]!
    const method = req.method ?? 'GET'
    if (path !== '/api' && !path.startsWith('/api/')) {
      // The web app: its files carry their own headers (an HTML CSP, caching); no authorization needed.
      if (!closed && (method === 'GET' || method === 'HEAD') && serveWebAsset(req, res)) return
      applySecurityHeaders(res)
      if (closed) throw new ImageError('LIBRARY_CLOSED', 'the library is closed')
      throw new ImageError('NOT_FOUND', 'no such page')
    }
    applySecurityHeaders(res)
    if (closed) throw new ImageError('LIBRARY_CLOSED', 'the library is closed')
    const url = new URL(`http://library.invalid${target}`)
    const route = matchRoute(path)
    if (!route) throw new ImageError('NOT_FOUND', 'no such endpoint')
    const allowed = ALLOWED[route.kind]
    if (!allowed.includes(method)) throw new ImageError('METHOD_NOT_ALLOWED', `${method} is not supported here`, { headers: { Allow: allowed.join(', ') } })
    const shareToken = shareTokenOf(req, url)
    if (shareToken !== undefined) return serveShared(route, method, req, res, url, shareToken)
    if (route.kind === 'share') throw new ImageError('SHARE_NOT_FOUND', 'send the share token (X-Share-Token or ?share=)')
    if (route.kind === 'session' && method !== 'OPTIONS') {
      if (method === 'POST') return login(sessionContext, req, res)
      if (method === 'DELETE') return logout(sessionContext, req, res)
      return currentSession(sessionContext, req, res, method === 'HEAD')
    }
    const changing = isChanging(method)
    if (changing) checkSameOrigin(req)
    const identity = await authorizeRequest(req, method, needFor(route, method))
    if (changing && isSessionRequest(sessionContext, req, identity.via)) checkCsrfToken(req, options.sessions?.csrfTokenFor(req))
    if (method === 'OPTIONS') {
      sendEmpty(res, 204, { Allow: allowed.join(', ') })
      return
    }
    await ready
    await dispatch(route, method, req, res, url, identity.user)
  }

  async function authorizeRequest(req: IncomingMessage, method: string, role: Role): Promise<{ user: string; via?: string }> {
    if (!options.authorize) return { user: 'anonymous' }
    const result = await options.authorize(req, { path: '', role })
    if (result.ok) return result.identity
    if (result.status === 401) {
      // The web app's own requests get no challenge: a browser would answer it with its password dialog.
      const challenge = result.challenge && req.headers['sec-fetch-site'] !== 'same-origin' ? result.challenge : undefined
      throw new ImageError('UNAUTHORIZED', 'authentication required', challenge ? { headers: { 'WWW-Authenticate': challenge } } : undefined)
    }
    throw new ImageError('FORBIDDEN', `your access does not allow ${method} here`)
  }

  /** A request with a share token: read-only, limited to what the link shares, no account involved. */
  async function serveShared(route: Route, method: string, req: IncomingMessage, res: ServerResponse, url: URL, token: string): Promise<void> {
    await ready
    const access = await openShare(gallery, token)
    if (method === 'OPTIONS') return sendEmpty(res, 204, { Allow: 'GET, HEAD, OPTIONS' })
    const head = method === 'HEAD'
    const refuse = () => new ImageError('SHARE_SCOPE', 'a share link gives read access to what it shares, nothing else')
    if (method !== 'GET' && !head) throw refuse()
    switch (route.kind) {
      case 'share':
        await core.index.sync()
        return describeShare(gallery, access, res, head)
      case 'assets':
        return listAssets(core, url, res, head, access.items)
      case 'asset':
        if (!access.items.has(route.id)) throw refuse()
        return getAsset(core, route.id, res, head, { shared: true })
      case 'file':
        if (!access.items.has(route.id)) throw refuse()
        return serveFile(core, route.id, route.file, req, res, url)
      default:
        throw refuse()
    }
  }

  async function dispatch(route: Route, method: string, req: IncomingMessage, res: ServerResponse, url: URL, user: string): Promise<void> {
    const head = method === 'HEAD'
    switch (route.kind) {
      case 'assets':
        return method === 'POST' ? upload(core, req, res, user) : listAssets(core, url, res, head)
      case 'asset':
        if (method === 'PATCH') return patchAsset(core, route.id, req, res, user)
        if (method === 'DELETE') return deleteAsset(core, route.id, res, user)
        return getAsset(core, route.id, res, head)
      case 'file':
        return serveFile(core, route.id, route.file, req, res, url)
      case 'caption':
        return recaption(core, route.id, res, user)
      case 'timeline':
        return timeline(core, res, head)
      case 'albums':
        return method === 'POST' ? createAlbum(gallery, req, res, user) : listAlbums(gallery, res, head)
      case 'album':
        if (method === 'PATCH') return patchAlbum(gallery, route.id, req, res, user)
        if (method === 'DELETE') return deleteAlbum(gallery, route.id, res, user)
        return getAlbum(gallery, route.id, url, res, head)
      case 'shares':
        return method === 'POST' ? createShare(gallery, req, res, user) : listShares(gallery, res, head)
      case 'shareItem':
        return revokeShare(gallery, route.id, res, user)
      case 'session':
      case 'share':
        throw new ImageError('NOT_FOUND', 'no such endpoint')
    }
  }

  const library = ((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => answerError(req, res, err, log))
  }) as ImageLibrary
  Object.defineProperty(library, 'ready', { value: ready.then(() => undefined) })
  library.close = async () => {
    closed = true
    unsubscribe()
    for (const d of detach) d()
    await ready.catch(() => undefined)
    while (background.size > 0) await Promise.allSettled([...background])
  }
  return library
}

/** Every error leaves here as `{ error: { code, message } }`; an unread body is drained so keep-alive survives. */
function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, log: (m: string, e?: unknown) => void): void {
  const http = toHttpError(err)
  if (!http) {
    if (res.destroyed || req.destroyed) return
    log(`${req.method} ${req.url?.slice(0, 200)} failed`, err)
  }
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (!req.complete && !req.readableEnded) {
    res.setHeader('Connection', 'close')
    req.resume()
  }
  if (http) sendHttpError(res, http, req.method)
  else sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } })
}
