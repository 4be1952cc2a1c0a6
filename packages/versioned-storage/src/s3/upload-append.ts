// Appending to a resumable upload in the bucket: chunks of any size in, parts of exactly `partSize` out.
import { StorageError } from '../errors'
import type { S3Context } from './context'
import { abortMultipart, createMultipart, uploadParts } from './multipart'
import { cutParts, type Part } from './parts'
import { readObject } from './read'
import { putBytes } from './objects'
import { deleteObsolete, emptySession, readSegmentsInto, segmentKey, tailSize, type BucketSession, type Segment } from './upload-session'

// The caller's `onChunk` sees the body (tap); the cutter hashes nothing itself.
const NO_HASH = { update: (): void => undefined }

async function* tap(body: AsyncIterable<Uint8Array>, onChunk: ((chunk: Uint8Array) => void) | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    onChunk?.(chunk)
    yield chunk
  }
}

/**
 * Append `body` after the session's bytes. The body streams into a part buffer whose head is reserved for the
 * session's tail segments: when the body ends first, only its new bytes are PUT as one more segment (merged with
 * the last segments while those are no larger and the result stays under MERGE_BELOW: a run of tiny chunks keeps
 * few segments, a chunk of a MiB or more is never re-read before its part fills); when the buffer fills, the
 * segments are read into the head and full parts upload, `queueSize` at a time, the remainder becoming the new
 * tail. Memory: about (queueSize + 1) × partSize.
 */
export async function appendToSession(
  ctx: S3Context,
  id: string,
  session: BucketSession,
  body: AsyncIterable<Uint8Array>,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<BucketSession> {
  // The segments the last call made obsolete go first, one at a time: s3rver removes a folder left empty by a
  // DELETE, and a PUT racing into that folder kills the server (ENOENT on its write stream). Real S3 would
  // not mind; the tests and benches run on s3rver.
  await deleteObsolete(ctx, id, session)
  if (session.assembled) {
    // A refused finish assembled the parts into one object: start a fresh session with those bytes first (a
    // rare path, so it re-uploads them rather than needing UploadPartCopy, which s3rver lacks).
    const before = await readObject(ctx, ctx.keys.uploadData(id), ctx.keys.uploadData(id))
    return appendToSession(ctx, id, emptySession(), concat(before, tap(body, onChunk)))
  }
  const pending = tailSize(session.segments)
  if (pending >= ctx.partSize) {
    throw new StorageError('BACKEND_FAILED', `upload '${id}' has a ${pending}-byte tail, not less than the driver's partSize ${ctx.partSize} (was partSize lowered?)`)
  }
  const parts = cutParts(tap(body, onChunk), ctx.pool, NO_HASH, pending)
  const first = (await parts.next()).value as Part
  if (first.length < ctx.partSize) return addSegment(ctx, id, session, first, pending)
  return addParts(ctx, id, session, first, parts)
}

async function* concat(...bodies: AsyncIterable<Uint8Array>[]): AsyncGenerator<Uint8Array> {
  for (const body of bodies) yield* body
}

const partsEnd = (session: BucketSession): number => session.size - tailSize(session.segments)

/** The body ended before a part filled: its bytes (and the last segments no larger than them) become one segment. */
async function addSegment(ctx: S3Context, id: string, session: BucketSession, part: Part, pending: number): Promise<BucketSession> {
  try {
    const base = partsEnd(session)
    const keep = [...session.segments]
    let start = pending
    if (part.length === pending) return { ...bare(session), segments: keep }
    while (keep.length > 0 && mergeable(keep.at(-1)!.size, part.length - start)) start -= keep.pop()!.size
    const merged = session.segments.slice(keep.length)
    await readSegmentsInto(ctx, id, merged, part.buf, start)
    const seg: Segment = { start: base + start, size: part.length - start }
    await putBytes(ctx, segmentKey(ctx, id, seg), part.buf.subarray(start, part.length))
    return { ...bare(session), size: base + part.length, segments: [...keep, seg], ...(merged.length > 0 ? { obsolete: merged } : {}) }
  } finally {
    ctx.pool.give(part.buf)
  }
}

/** Segments merge only while the result stays under this: a segment this large is PUT once and read once (when its
 * part fills), whatever the chunk size; smaller ones merge like a binary counter, so a run of tiny chunks keeps
 * about log2(MERGE_BELOW / chunk) segments per MERGE_BELOW of tail and re-reads each byte that many times. */
const MERGE_BELOW = 1024 * 1024

/** Does the last segment (`last` bytes) join the new one (`next` bytes so far)? */
const mergeable = (last: number, next: number): boolean => last <= next && last + next < MERGE_BELOW

/** The session without what the call that read it has done (obsolete segments removed). */
function bare(session: BucketSession): BucketSession {
  const { obsolete: _, ...rest } = session
  return rest
}

/** A part filled: the old tail goes into its head, full parts upload, the remainder is the new tail. */
async function addParts(ctx: S3Context, id: string, session: BucketSession, first: Part, rest: AsyncGenerator<Part>): Promise<BucketSession> {
  const key = ctx.keys.uploadData(id)
  let uploadId = session.uploadId
  let tail: Part | undefined
  async function* full(): AsyncGenerator<Part> {
    yield first
    for await (const part of rest) {
      if (part.length < ctx.partSize) {
        tail = part
        return
      }
      yield part
    }
  }
  try {
    await readSegmentsInto(ctx, id, session.segments, first.buf, 0)
    uploadId ??= await createMultipart(ctx, key)
  } catch (err) {
    ctx.pool.give(first.buf)
    await rest.return(undefined)
    throw err
  }
  try {
    const done = await uploadParts(ctx, key, uploadId, full(), session.parts.length)
    const parts = [...session.parts]
    for (const p of done) {
      if (!p.ETag) throw new StorageError('BACKEND_FAILED', `part ${p.PartNumber} of upload '${id}' gave no ETag`)
      parts.push({ n: p.PartNumber!, etag: p.ETag, size: ctx.partSize })
    }
    const end = partsEnd(session) + done.length * ctx.partSize
    const t = tail as Part | undefined
    const segments: Segment[] = t && t.length > 0 ? [{ start: end, size: t.length }] : []
    if (t && segments[0]) await putBytes(ctx, segmentKey(ctx, id, segments[0]), t.buf.subarray(0, t.length))
    return { size: end + (t?.length ?? 0), uploadId, parts, segments, ...(session.segments.length > 0 ? { obsolete: session.segments } : {}) }
  } catch (err) {
    // A multipart upload no record will name; an existing one keeps its recorded parts (new numbers are reused).
    if (!session.uploadId) await abortMultipart(ctx, key, uploadId).catch(() => undefined)
    throw err
  } finally {
    if (tail) ctx.pool.give((tail as Part).buf)
  }
}
