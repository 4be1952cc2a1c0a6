import type { S3Context } from './context'
import { isUnsupported } from './failures'
import { listMultipartUploads, listObjects } from './listing'
import { abortMultipart } from './multipart'
import { deleteKey } from './stage'

/**
 * Remove what interrupted writes left: staging objects and unfinished multipart uploads under the driver's prefix
 * older than `graceMs` (younger ones may belong to a write still running in another process). Resumable uploads
 * (`uploads/`) are left alone: a session may rightly live for days; the Uploads layer's sweep knows which are
 * forgotten.
 */
export async function sweepLeftovers(ctx: S3Context, graceMs: number): Promise<number> {
  const cutoff = Date.now() - graceMs
  const old = (time: Date | undefined): boolean => time === undefined || time.getTime() <= cutoff
  let removed = 0
  for await (const obj of listObjects(ctx, ctx.keys.stagingPrefix)) {
    if (obj.Key && old(obj.LastModified)) {
      await deleteKey(ctx, obj.Key)
      removed++
    }
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
