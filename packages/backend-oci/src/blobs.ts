import { pipeline } from 'node:stream/promises'
import type { RequestContext } from './context'
import { blobUnknown, OciError } from './errors'
import { assertDigest } from './names'
import { Repository } from './repository'
import { blobLink } from './layout'
import { sendEmpty, sendNotModified } from './http'
import { answerFor } from './conditional'
import type { SendFile } from './types'
import type { OutgoingHttpHeaders } from 'node:http'

/** HEAD/GET /v2/<name>/blobs/<digest>: If-None-Match (304), a single byte Range, If-Range. */
export async function getBlob(ctx: RequestContext, name: string, digest: string): Promise<void> {
  await ctx.require(name, 'reader')
  if (!/^[a-z0-9]+:/.test(digest)) assertDigest(digest)
  const size = await new Repository(ctx.store, name).blobSize(digest)
  if (size === undefined) throw blobUnknown(digest)
  const etag = `"${digest}"`
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Cache-Control': 'max-age=31536000',
  }
  const answer = answerFor(ctx.req.headers, etag, size)
  if (answer.kind === 'not-modified') {
    sendNotModified(ctx.res, headers)
    return
  }
  if (answer.kind === 'unsatisfiable') {
    throw new OciError(416, 'SIZE_INVALID', 'requested range not satisfiable', { digest, size, range: String(ctx.req.headers.range).slice(0, 100) }, { 'Content-Range': `bytes */${size}` })
  }
  if (ctx.req.method === 'HEAD') {
    sendEmpty(ctx.res, 200, { ...headers, 'Content-Length': size })
    return
  }
  if (await redirected(ctx, digest)) return
  const range = answer.kind === 'range' ? { start: answer.start, end: answer.end } : undefined
  const slice = range ?? { start: 0, end: size - 1 }
  const status = range ? 206 : 200
  const bodyHeaders = range ? { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } : headers
  if (ctx.sendFile && ctx.store.openBlobFile && size > 0 && (await sendFromFile(ctx, ctx.sendFile, digest, status, bodyHeaders, slice))) return
  const stream = await ctx.store.getBlob(digest, range)
  ctx.res.writeHead(status, { ...bodyHeaders, 'Content-Length': slice.end - slice.start + 1 })
  await pipeline(stream, ctx.res)
}

/** 307 to a short-lived URL of the bytes when the registry is set up for it and the store has one. */
async function redirected(ctx: RequestContext, digest: string): Promise<boolean> {
  const redirect = ctx.redirectBlobGets
  if (!redirect || !ctx.store.blobUrl) return false
  const url = await ctx.store.blobUrl(digest, { expiresInSeconds: redirect.expiresInSeconds, contentType: 'application/octet-stream' })
  if (url === undefined) return false
  sendEmpty(ctx.res, 307, { Location: url, 'Docker-Content-Digest': digest, 'Cache-Control': 'no-store' })
  return true
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
