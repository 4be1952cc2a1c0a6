// The state of one resumable upload in the bucket, and the reads and removals every step of it shares.
import type { ResumableSession } from '../types'
import { isStorageError, StorageError } from '../errors'
import type { S3Context } from './context'
import { isUnsupported } from './failures'
import { listMultipartUploads, listObjects } from './listing'
import { abortMultipart } from './multipart'
import { readObject } from './read'
import { deleteKey } from './objects'

/** Bytes [start, start + size) of the upload, stored as the object `uploads/<id>/seg/<start>-<end>`. */
export interface Segment {
  readonly start: number
  readonly size: number
}

export interface BucketSession extends ResumableSession {
  /** The multipart upload at `uploads/<id>/data`, created when the first full part is cut. */
  readonly uploadId?: string
  /** Committed parts, in order, each `partSize` bytes (≥ 5 MiB: legal for any part but the last). */
  readonly parts: readonly { readonly n: number; readonly etag: string; readonly size: number }[]
  /** The tail after the last part, fewer than `partSize` bytes in all. */
  readonly segments: readonly Segment[]
  /** Segments this session no longer needs; removed by the next call, once the caller has recorded it. */
  readonly obsolete?: readonly Segment[]
  /**
   * The parts were assembled into the object `uploads/<id>/data` by a finish whose digest the caller refused;
   * `digest` is what those bytes hash to. A later append starts over from that object.
   */
  readonly assembled?: { readonly digest: string }
}

export const emptySession = (): BucketSession => ({ size: 0, parts: [], segments: [] })

/** The session a record holds (written by this driver; checked only for its shape). */
export function bucketSession(session: ResumableSession | undefined): BucketSession {
  if (session === undefined) return emptySession()
  const s = session as Partial<BucketSession>
  if (!Number.isSafeInteger(s.size) || !Array.isArray(s.parts) || !Array.isArray(s.segments)) {
    throw new StorageError('UPLOAD_UNKNOWN', 'the upload record holds no bucket session')
  }
  return session as BucketSession
}

export const tailSize = (segments: readonly Segment[]): number => segments.reduce((sum, seg) => sum + seg.size, 0)

export const segmentKey = (ctx: S3Context, id: string, seg: Segment): string => ctx.keys.uploadSegment(id, seg.start, seg.start + seg.size)

/** The bytes of one segment, which must have exactly its recorded size. */
async function* oneSegment(ctx: S3Context, id: string, seg: Segment): AsyncGenerator<Uint8Array> {
  const key = segmentKey(ctx, id, seg)
  let got = 0
  try {
    for await (const chunk of await readObject(ctx, key, key)) {
      got += (chunk as Uint8Array).length
      if (got > seg.size) throw lost(id, key)
      yield chunk as Uint8Array
    }
  } catch (err) {
    if (isStorageError(err, 'BLOB_UNKNOWN')) throw lost(id, key, err)
    throw err
  }
  if (got !== seg.size) throw lost(id, key)
}

/** The bytes of the segments, in order. */
export async function* segmentBytes(ctx: S3Context, id: string, segments: readonly Segment[]): AsyncGenerator<Uint8Array> {
  for (const seg of segments) yield* oneSegment(ctx, id, seg)
}

const lost = (id: string, key: string, cause?: unknown): StorageError =>
  new StorageError('UPLOAD_UNKNOWN', `upload '${id}' lost acknowledged bytes (${key})`, cause === undefined ? undefined : { cause })

/** Read the segments into `buf` from `at` on, `queueSize` GETs at a time, each into its own place (explicit
 * whole-object GETs: no suffix ranges). Returns (or throws the first failure) only once no read is writing into
 * `buf`: the caller gives it back to the part pool right after. */
export async function readSegmentsInto(ctx: S3Context, id: string, segments: readonly Segment[], buf: Buffer, at: number): Promise<void> {
  const places: { seg: Segment; pos: number }[] = []
  let pos = at
  for (const seg of segments) {
    places.push({ seg, pos })
    pos += seg.size
  }
  let failed: { err: unknown } | undefined
  const worker = async (): Promise<void> => {
    for (let next = places.shift(); next && !failed; next = places.shift()) {
      let p = next.pos
      try {
        for await (const chunk of oneSegment(ctx, id, next.seg)) {
          buf.set(chunk, p)
          p += chunk.length
        }
      } catch (err) {
        failed ??= { err }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(ctx.queueSize, places.length) }, worker))
  if (failed) throw failed.err
}

/** Delete the segments a session marks obsolete (idempotent: deleting a missing key succeeds). */
export async function deleteObsolete(ctx: S3Context, id: string, session: BucketSession): Promise<void> {
  for (const seg of session.obsolete ?? []) await deleteKey(ctx, segmentKey(ctx, id, seg))
}

/**
 * Delete objects under `uploads/<id>/` that `keep` does not name, and abort multipart uploads there other than
 * `keepUploadId` (best effort: s3rver lists none). Returns the bytes of the objects deleted.
 */
export async function removeObjects(ctx: S3Context, id: string, keep: ReadonlySet<string> = new Set(), keepUploadId?: string): Promise<number> {
  const prefix = ctx.keys.upload(id)
  let bytes = 0
  try {
    for await (const upload of listMultipartUploads(ctx, prefix)) {
      if (upload.Key && upload.UploadId && upload.UploadId !== keepUploadId) await abortMultipart(ctx, upload.Key, upload.UploadId)
    }
  } catch (err) {
    if (!isUnsupported(err)) throw err
  }
  for await (const obj of listObjects(ctx, prefix)) {
    if (!obj.Key || keep.has(obj.Key)) continue
    await deleteKey(ctx, obj.Key)
    bytes += obj.Size ?? 0
  }
  return bytes
}

/** Upload ids with objects or multipart uploads in the bucket: their bytes and the time of the latest write. */
export async function* uploadLeftovers(ctx: S3Context): AsyncGenerator<{ id: string; size: number; modifiedAt: string }> {
  const found = new Map<string, { size: number; time: number }>()
  const note = (key: string | undefined, size: number, time: Date | undefined): void => {
    const id = key ? ctx.keys.uploadOf(key) : undefined
    if (!id) return
    const seen = found.get(id) ?? { size: 0, time: 0 }
    found.set(id, { size: seen.size + size, time: Math.max(seen.time, time?.getTime() ?? 0) })
  }
  for await (const obj of listObjects(ctx, ctx.keys.uploadsPrefix)) note(obj.Key, obj.Size ?? 0, obj.LastModified)
  try {
    for await (const upload of listMultipartUploads(ctx, ctx.keys.uploadsPrefix)) note(upload.Key, 0, upload.Initiated)
  } catch (err) {
    if (!isUnsupported(err)) throw err // s3rver lists no multipart uploads: only the segment objects tell
  }
  for (const [id, { size, time }] of found) yield { id, size, modifiedAt: new Date(time).toISOString() }
}
