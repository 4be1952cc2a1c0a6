import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { LibraryStore, SendFile } from './types.js'
import { ImageError } from './errors.js'
import { noneMatch, parseRange, rangeApplies } from './conditional.js'

export interface BlobBody {
  readonly digest: string
  readonly size: number
  readonly mime: string
  /** Extra headers (Content-Disposition, Vary, Cache-Control). */
  readonly headers: Record<string, string>
  /** GETs answer 307 to a URL of the bytes valid this long, when the store has one (object storage). */
  readonly redirectSeconds?: number
}

/** GET/HEAD of stored bytes: strong ETag (the digest), 304, one Range (206/416), zero-copy when possible. */
export async function serveBlob(req: IncomingMessage, res: ServerResponse, store: LibraryStore, sendFile: SendFile | undefined, body: BlobBody): Promise<void> {
  const etag = `"${body.digest}"`
  const headers: OutgoingHttpHeaders = { 'Content-Type': body.mime, ETag: etag, 'Accept-Ranges': 'bytes', ...body.headers }
  if (noneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  const ifRange = req.headers['if-range'] as string | undefined
  const range = rangeApplies(ifRange, etag) ? parseRange(req.headers.range, body.size) : undefined
  if (range === 'invalid') {
    throw new ImageError('RANGE_NOT_SATISFIABLE', `the range is outside the ${body.size} bytes of the file`, { headers: { 'Content-Range': `bytes */${body.size}` } })
  }
  const slice = range ?? { start: 0, end: body.size - 1 }
  const status = range ? 206 : 200
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${body.size}`
  const length = slice.end - slice.start + 1
  if (req.method === 'HEAD') {
    res.writeHead(status, { ...headers, 'Content-Length': length })
    res.end()
    return
  }
  if (body.redirectSeconds !== undefined && (await redirected(res, store, body, body.redirectSeconds))) return
  if (sendFile && store.openBlobFile && length > 0) {
    const file = await store.openBlobFile(body.digest)
    if (file) {
      try {
        await sendFile(res, { status, headers, fd: file.fd, start: slice.start, length })
      } finally {
        await file.close()
      }
      return
    }
  }
  const stream = await store.getBlob(body.digest, range)
  res.writeHead(status, { ...headers, 'Content-Length': length })
  await pipeline(stream, res)
}

/** 307 to a short-lived URL that answers with the same type, disposition and caching; false without one. */
async function redirected(res: ServerResponse, store: LibraryStore, body: BlobBody, expiresInSeconds: number): Promise<boolean> {
  if (!store.blobUrl) return false
  const url = await store.blobUrl(body.digest, {
    expiresInSeconds,
    contentType: body.mime,
    ...(body.headers['Content-Disposition'] !== undefined ? { contentDisposition: body.headers['Content-Disposition'] } : {}),
    ...(body.headers['Cache-Control'] !== undefined ? { cacheControl: body.headers['Cache-Control'] } : {}),
  })
  if (url === undefined) return false
  res.writeHead(307, { Location: url, 'Cache-Control': 'no-store', 'Content-Length': 0 })
  res.end()
  return true
}
