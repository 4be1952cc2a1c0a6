import { GetObjectCommand } from '@aws-sdk/client-s3'
import { isDigest } from '../digest'
import type { S3Context } from './context'
import { isNotFound, isUnsupported } from './failures'
import { locateBlob } from './links'
import { listMultipartUploads, listObjects } from './listing'
import { abortMultipart } from './multipart'
import { deleteKey } from './objects'

/** `sha256:` and 64 hex digits: the size of a marker that names its digest. */
const DIGEST_LENGTH = 71

/** Whether a staging marker's bytes are a published blob: the marker names the digest whose link names them. */
async function linkedFrom(ctx: S3Context, marker: string, size: number | undefined): Promise<boolean> {
  if (size !== DIGEST_LENGTH) return false
  const res = await ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: marker })).catch((err: unknown) => {
    if (isNotFound(err)) return undefined
    throw err
  })
  const digest = await res?.Body?.transformToString()
  if (!isDigest(digest)) return false
  return (await locateBlob(ctx, digest))?.key === ctx.keys.dataOf(marker)
}

/**
 * Remove what interrupted writes left: writes of unknown digest (their marker under `staging/`, their bytes under
 * `data/`) that were never published, and unfinished multipart uploads under the driver's prefix
 * older than `graceMs` (younger ones may belong to a write still running in another process). Resumable uploads
 * (`uploads/`) are left alone: a session may rightly live for days; the Uploads layer's sweep knows which are
 * forgotten.
 */
export async function sweepLeftovers(ctx: S3Context, graceMs: number): Promise<number> {
  const cutoff = Date.now() - graceMs
  const old = (time: Date | undefined): boolean => time === undefined || time.getTime() <= cutoff
  let removed = 0
  for await (const obj of listObjects(ctx, ctx.keys.stagingPrefix)) {
    if (!obj.Key || !old(obj.LastModified)) continue
    // A marker naming a digest that links to its bytes: only the marker was left (the write was published).
    if (!(await linkedFrom(ctx, obj.Key, obj.Size))) await deleteKey(ctx, ctx.keys.dataOf(obj.Key))
    await deleteKey(ctx, obj.Key)
    removed++
  }
  try {
    for await (const upload of listMultipartUploads(ctx, ctx.keys.root)) {
      if (upload.Key && upload.UploadId && !upload.Key.startsWith(ctx.keys.uploadsPrefix) && old(upload.Initiated)) {
        await abortMultipart(ctx, upload.Key, upload.UploadId)
        removed++
      }
    }
  } catch (err) {
    if (!isUnsupported(err)) throw err // s3rver lists no multipart uploads; a lifecycle rule covers them elsewhere
  }
  return removed
}
