import { CopyObjectCommand, UploadPartCopyCommand, type CompletedPart } from '@aws-sdk/client-s3'
import { StorageError } from '../errors'
import type { S3Context } from './context'
import { abortMultipart, completeMultipart, createMultipart } from './multipart'

/** Server-side copy: one CopyObject up to `ctx.copyLimit` (S3: 5 GiB), UploadPartCopy ranges above it. */
export async function copyObject(ctx: S3Context, from: string, to: string, size: number): Promise<void> {
  const CopySource = `${ctx.bucket}/${from}` // keys are [a-z0-9/-]: nothing to escape
  if (size <= ctx.copyLimit) {
    await ctx.client.send(new CopyObjectCommand({ Bucket: ctx.bucket, Key: to, CopySource }))
    return
  }
  const uploadId = await createMultipart(ctx, to)
  try {
    const parts: CompletedPart[] = []
    for (let start = 0, PartNumber = 1; start < size; start += ctx.copyPartSize, PartNumber++) {
      const end = Math.min(start + ctx.copyPartSize, size) - 1
      const res = await ctx.client.send(
        new UploadPartCopyCommand({ Bucket: ctx.bucket, Key: to, UploadId: uploadId, PartNumber, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
      )
      if (!res.CopyPartResult?.ETag) throw new StorageError('BACKEND_FAILED', `copying part ${PartNumber} of ${from} gave no ETag`)
      parts.push({ PartNumber, ETag: res.CopyPartResult.ETag })
    }
    await completeMultipart(ctx, to, uploadId, parts, size)
  } catch (err) {
    await abortMultipart(ctx, to, uploadId).catch(() => undefined)
    throw err
  }
}
