import { pipeline } from 'node:stream/promises'
import type { RequestContext } from './context'
import { blobUnknown, OciError } from './errors'
import { assertDigest } from './names'
import { Repository } from './repository'
import { blobLink } from './layout'
import { sendEmpty } from './http'
import type { SendFile } from './types'
import type { OutgoingHttpHeaders } from 'node:http'

/** HEAD/GET /v2/<name>/blobs/<digest>, with a single byte range. */
export async function getBlob(ctx: RequestContext, name: string, digest: string): Promise<void> {
  await ctx.require(name, 'reader')
  if (!/^[a-z0-9]+:/.test(digest)) assertDigest(digest)
  const size = await new Repository(ctx.store, name).blobSize(digest)
  if (size === undefined) throw blobUnknown(digest)
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000',
  }
  const range = parseRange(ctx.req.headers.range, size)
  if (range === 'invalid') {
    throw new OciError(416, 'BLOB_UNKNOWN', 'requested range not satisfiable', { digest }, { 'Content-Range': `bytes */${size}` })
  }
  if (ctx.req.method === 'HEAD') {
    sendEmpty(ctx.res, 200, { ...headers, 'Content-Length': size })
    return
  }
  const slice = range ?? { start: 0, end: size - 1 }
  const status = range ? 206 : 200
  const bodyHeaders = range ? { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } : headers
  if (ctx.sendFile && ctx.store.openBlobFile && size > 0 && (await sendFromFile(ctx, ctx.sendFile, digest, status, bodyHeaders, slice))) return
  const stream = await ctx.store.getBlob(digest, range)
  ctx.res.writeHead(status, { ...bodyHeaders, 'Content-Length': slice.end - slice.start + 1 })
  await pipeline(stream, ctx.res)
}

/** The zero-copy path: false when the store has no local file for the blob (the caller streams it instead). */
async function sendFromFile(ctx: RequestContext, sendFile: SendFile, digest: string, status: number, headers: OutgoingHttpHeaders, slice: { start: number; end: number }): Promise<boolean> {
  const file = await ctx.store.openBlobFile!(digest)
  if (!file) return false
  try {
    await sendFile(ctx.res, { status, headers, fd: file.fd, start: slice.start, length: slice.end - slice.start + 1 })
  } finally {
    await file.close()
  }
  return true
}

/** DELETE /v2/<name>/blobs/<digest>: unlink the blob from the repository (bytes stay until garbage collection). */
export async function deleteBlob(ctx: RequestContext, name: string, digest: string): Promise<void> {
  const user = await ctx.require(name, 'owner')
  assertDigest(digest)
  const repo = new Repository(ctx.store, name)
  const committed = await repo.isCommittedLink(digest)
  const staged = await repo.isStaged(digest)
  if (!committed && !staged) throw blobUnknown(digest)
  if (committed) await ctx.store.commit([{ op: 'delete', path: blobLink(name, digest) }], { author: user, message: `delete blob ${digest} from ${name}` })
  if (staged) await repo.unstage([digest])
  sendEmpty(ctx.res, 202, { 'Docker-Content-Digest': digest })
}

/** Parse a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; undefined = whole body. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined | 'invalid' {
  if (header === undefined) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) return 'invalid'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'invalid'
  return { start, end }
}
