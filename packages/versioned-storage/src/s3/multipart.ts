import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3'
import { StorageError } from '../errors'
import type { S3Context } from './context'
import { isNotFound, isUnsupported } from './failures'
import { headSize } from './objects'
import type { Part } from './parts'

const MAX_PARTS = 10_000

export async function createMultipart(ctx: S3Context, key: string): Promise<string> {
  const { UploadId } = await ctx.client.send(new CreateMultipartUploadCommand({ Bucket: ctx.bucket, Key: key }))
  if (!UploadId) throw new StorageError('BACKEND_FAILED', `no upload id for ${key}`)
  return UploadId
}

/**
 * Upload parts as they come, `ctx.queueSize` at a time; each buffer goes back to the pool once its part is stored.
 * A failed part (after the SDK's retries) or a failing body stops the loop once the parts in flight have settled.
 * Numbers start after `before` (a resumable upload adds parts to the ones it has).
 */
export async function uploadParts(ctx: S3Context, key: string, uploadId: string, parts: AsyncIterable<Part>, before = 0): Promise<CompletedPart[]> {
  const done: CompletedPart[] = []
  const inFlight = new Set<Promise<void>>()
  let failure: { err: unknown } | undefined
  let number = before
  try {
    for await (const part of parts) {
      if (++number > MAX_PARTS) throw new StorageError('BACKEND_FAILED', `a blob above ${MAX_PARTS} parts of ${ctx.partSize} bytes`)
      const PartNumber = number
      const { buf } = part
      const sent = ctx.client
        .send(new UploadPartCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, PartNumber, Body: buf.subarray(0, part.length), ContentLength: part.length }))
        .then(
          (res) => void done.push({ PartNumber, ETag: res.ETag }),
          (err: unknown) => void (failure ??= { err }),
        )
        .finally(() => {
          ctx.pool.give(buf)
          inFlight.delete(sent)
        })
      inFlight.add(sent)
      if (inFlight.size >= ctx.queueSize) await Promise.race(inFlight)
      if (failure) throw failure.err
    }
  } finally {
    await Promise.all(inFlight)
  }
  if (failure) throw failure.err
  return done.sort((a, b) => a.PartNumber! - b.PartNumber!)
}

/**
 * Complete, tolerating a lost answer: when a retried Complete fails because the first one went through
 * (S3: NoSuchUpload; s3rver: 500), the object is there with the expected size and that is success.
 */
export async function completeMultipart(ctx: S3Context, key: string, uploadId: string, parts: CompletedPart[], size: number): Promise<void> {
  try {
    await ctx.client.send(new CompleteMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }))
  } catch (err) {
    if ((await headSize(ctx, key).catch(() => undefined)) !== size) throw err
  }
}

/**
 * Best effort: endpoints without AbortMultipartUpload (s3rver) keep the invisible parts until their own clean-up.
 * An upload that is gone already (completed or aborted: NoSuchUpload, 404) is what an abort wants.
 */
export async function abortMultipart(ctx: S3Context, key: string, uploadId: string): Promise<void> {
  await ctx.client.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId })).catch((err: unknown) => {
    if (!isUnsupported(err) && !isNotFound(err)) throw err
  })
}
