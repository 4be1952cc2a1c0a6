// Turning a resumable upload in the bucket into a blob, or removing it.
import { createHash } from 'node:crypto'
import type { CompletedPart } from '@aws-sdk/client-s3'
import type { ResumableSession, StagedBlob } from '../types'
import { hexDigest } from '../digest'
import { settleOnce } from '../staged'
import type { S3Context } from './context'
import { abortMultipart, completeMultipart, uploadParts } from './multipart'
import type { Part } from './parts'
import { readObject } from './read'
import { headSize } from './objects'
import { publishCopy, stageBlob } from './stage'
import { deleteObsolete, readSegmentsInto, removeObjects, segmentKey, segmentBytes, tailSize, type BucketSession } from './upload-session'

/**
 * Below one part, the segments stream through the normal staging path (one verified PUT under the digest). With
 * parts, the tail is uploaded as the last part (the only one allowed below 5 MiB) and the multipart upload is
 * completed at `uploads/<id>/data`, hashed by reading it back unless the digest is known, and published by a
 * server-side copy: nothing is visible under the digest before the caller accepts it.
 */
export async function finishSession(ctx: S3Context, id: string, session: BucketSession, known: { readonly digest?: string }): Promise<StagedBlob & { session?: ResumableSession }> {
  await deleteObsolete(ctx, id, session)
  if (session.parts.length === 0 && !session.assembled) return stageBlob(ctx, segmentBytes(ctx, id, session.segments), known.digest)
  const key = ctx.keys.uploadData(id)
  let digest = known.digest ?? session.assembled?.digest
  // The object is there already when a refused finish assembled it, or when one crashed before it was recorded.
  if (!session.assembled && (await headSize(ctx, key)) !== session.size) await assemble(ctx, id, session, key)
  digest ??= await hashObject(ctx, key)
  const assembled: BucketSession = { size: session.size, parts: [], segments: [], ...(session.segments.length > 0 ? { obsolete: session.segments } : {}), assembled: { digest } }
  const staged = settleOnce(
    digest,
    session.size,
    () => publishCopy(ctx, key, digest, session.size),
    async () => undefined, // the assembled bytes stay: the upload is kept
  )
  return { ...staged, session: assembled }
}

async function assemble(ctx: S3Context, id: string, session: BucketSession, key: string): Promise<void> {
  const uploadId = session.uploadId!
  const parts: CompletedPart[] = session.parts.map((p) => ({ PartNumber: p.n, ETag: p.etag }))
  const pending = tailSize(session.segments)
  if (pending > 0) {
    const buf = ctx.pool.take()
    try {
      await readSegmentsInto(ctx, id, session.segments, buf, 0)
    } catch (err) {
      ctx.pool.give(buf)
      throw err
    }
    parts.push(...(await uploadParts(ctx, key, uploadId, only({ buf, length: pending, last: true }), session.parts.length)))
  }
  await completeMultipart(ctx, key, uploadId, parts, session.size)
}

async function* only(part: Part): AsyncGenerator<Part> {
  yield part
}

async function hashObject(ctx: S3Context, key: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of await readObject(ctx, key, key)) hash.update(chunk as Buffer)
  return hexDigest(hash.digest('hex'))
}

/** Everything under `uploads/<id>/`, and the session's multipart upload (best effort: s3rver cannot abort). */
export async function cancelSession(ctx: S3Context, id: string, session: BucketSession | undefined): Promise<number> {
  if (session?.uploadId) await abortMultipart(ctx, ctx.keys.uploadData(id), session.uploadId)
  return removeObjects(ctx, id)
}

/** What a crashed call left beside a live session: segments it does not name, multipart uploads not its own. */
export async function pruneSession(ctx: S3Context, id: string, session: BucketSession): Promise<number> {
  const keep = new Set(session.segments.map((seg) => segmentKey(ctx, id, seg)))
  keep.add(ctx.keys.uploadData(id)) // assembled bytes, or an assembly a crash kept from being recorded
  return removeObjects(ctx, id, keep, session.uploadId)
}
