import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JobStatus } from '@everlock/jobs'
import type { ImageLibrary, ImageLibraryOptions } from './types.js'
import { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { sendHttpError, toHttpError } from './http-errors.js'
import { applySecurityHeaders, sendEmpty, sendJson } from './http.js'
import { ALLOWED, matchRoute, roleFor, type Route } from './routes.js'
import { attachHandler } from './job-kinds.js'
import { DERIVE_AUTHOR, deriveHandler, recordFailure } from './derive-work.js'
import { derivativeSpecsFor } from './media/index.js'
import { CAPTION_AUTHOR, captionHandler } from './caption-work.js'
import { upload } from './upload.js'
import { listAssets } from './listing.js'
import { deleteAsset, getAsset, patchAsset, recaption } from './item.js'
import { serveFile } from './files.js'
import type { AssetRecord } from './record.js'

const GiB = 1024 * 1024 * 1024

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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res)
    if (closed) throw new ImageError('LIBRARY_CLOSED', 'the library is closed')
    const target = req.url?.startsWith('/') ? req.url : '/'
    const url = new URL(`http://library.invalid${target}`)
    const route = matchRoute(target.split('?')[0]!)
    if (!route) throw new ImageError('NOT_FOUND', 'no such endpoint')
    const method = req.method ?? 'GET'
    const allowed = ALLOWED[route.kind]
    if (!allowed.includes(method)) throw new ImageError('METHOD_NOT_ALLOWED', `${method} is not supported here`, { headers: { Allow: allowed.join(', ') } })
    const user = await authorizeRequest(req, method)
    if (method === 'OPTIONS') {
      sendEmpty(res, 204, { Allow: allowed.join(', ') })
      return
    }
    await ready
    await dispatch(route, method, req, res, url, user)
  }

  async function authorizeRequest(req: IncomingMessage, method: string): Promise<string> {
    if (!options.authorize) return 'anonymous'
    const result = await options.authorize(req, { path: '', role: roleFor(method) })
    if (result.ok) return result.identity.user
    if (result.status === 401) throw new ImageError('UNAUTHORIZED', 'authentication required', result.challenge ? { headers: { 'WWW-Authenticate': result.challenge } } : undefined)
    throw new ImageError('FORBIDDEN', `your access does not allow ${method} here`)
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
