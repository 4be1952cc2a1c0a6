import type { S3Client } from '@aws-sdk/client-s3'
import type { BlobDriver, ByteRange } from '../types'
import { StorageError } from '../errors'
import { resolveRange } from '../range'
import { checkBucket } from './check'
import { asBackendFailure } from './failures'
import type { S3Context } from './context'
import { keyLayout } from './keys'
import { listObjects } from './listing'
import { partPool } from './part-pool'
import { presignBlobGet } from './presign'
import { readObject } from './read'
import { s3Resumable } from './resumable'
import { sweepLeftovers } from './sweep'
import { locateBlob } from './links'
import { deleteKey } from './objects'
import { stageBlob } from './stage'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

export interface S3BlobsOptions {
  /** An S3 client; `s3Client()` makes one with the settings S3-compatible endpoints need. */
  readonly client: S3Client
  readonly bucket: string
  /** Key prefix for this driver's objects, e.g. `everlock/<store>/` (a trailing '/' is added when missing). */
  readonly prefix?: string
  /** Bytes per uploaded part, ≥ 5 MiB (S3's minimum). Default 8 MiB. Blobs up to one part are one PUT. */
  readonly partSize?: number
  /** Parts uploading at once per blob. Default 4. Memory per upload is about (queueSize + 1) × partSize. */
  readonly queueSize?: number
  /** Staging objects and multipart uploads younger than this are left alone by the sweep at open. Default 1 hour. */
  readonly sweepGraceMs?: number
  /** Times a broken download resumes from the byte it reached. Default 4. */
  readonly readRetries?: number
  /** Largest object copied with one CopyObject (S3: 5 GiB); larger ones are copied with UploadPartCopy. */
  readonly copyLimit?: number
  /**
   * A blob written without its digest known up front, of at least this many bytes, is linked from its digest key
   * instead of copied there: a server-side copy of a GiB takes seconds, a link one small PUT (and a read one more
   * request). Default 64 MiB; `Infinity` always copies.
   */
  readonly linkAbove?: number
}

function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return ''
  if (prefix.startsWith('/') || prefix.split('/').some((seg, i, all) => seg === '..' || seg === '.' || (seg === '' && i < all.length - 1))) {
    throw new StorageError('PATH_INVALID', `invalid S3 key prefix '${prefix.slice(0, 80)}'`)
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`
}

/**
 * Blobs in an S3 bucket: content-addressed keys `<prefix>sha256/<ab>/<hex>`, streamed both ways, hashed while
 * uploaded and visible under the digest only once verified. The first `sweep()` (run when a store opens) checks
 * the bucket answers, with a StorageError naming endpoint and bucket when it does not.
 */
export function s3Blobs(opts: S3BlobsOptions): BlobDriver {
  const partSize = opts.partSize ?? 8 * MiB
  if (!Number.isSafeInteger(partSize) || partSize < 5 * MiB || partSize > 5 * GiB) {
    throw new RangeError(`partSize must be between 5 MiB and 5 GiB, got ${partSize}`)
  }
  const queueSize = Math.max(1, opts.queueSize ?? 4)
  const ctx: S3Context = {
    client: opts.client,
    bucket: opts.bucket,
    keys: keyLayout(normalisePrefix(opts.prefix)),
    partSize,
    queueSize,
    copyLimit: opts.copyLimit ?? 5 * GiB,
    copyPartSize: 1 * GiB,
    linkAbove: opts.linkAbove ?? 64 * MiB,
    readRetries: opts.readRetries ?? 4,
    pool: partPool(partSize, queueSize + 1),
  }
  const graceMs = opts.sweepGraceMs ?? 3_600_000

  const where = (op: string, digest?: string): string => `S3 ${op}${digest ? ` of ${digest}` : ''} in bucket '${ctx.bucket}'`
  const guard = <T>(op: string, digest: string | undefined, work: () => Promise<T>): Promise<T> =>
    work().catch((err: unknown) => {
      throw asBackendFailure(err, where(op, digest))
    })

  return {
    capabilities: { ranges: true, multipart: true },

    stage: (body, expect) => guard('upload', expect?.digest, () => stageBlob(ctx, body, expect?.digest)),

    read: (digest: string, range?: ByteRange) =>
      guard('read', digest, async () => {
        if (!range) return readObject(ctx, ctx.keys.blob(digest), digest)
        const at = await locateBlob(ctx, digest)
        if (at === undefined) throw new StorageError('BLOB_UNKNOWN', `blob ${digest} is unknown`)
        if (at.size === 0) throw new StorageError('RANGE_INVALID', 'a range of an empty blob')
        return readObject(ctx, at.key, digest, resolveRange(range, at.size))
      }),

    stat: (digest: string) =>
      guard('stat', digest, async () => {
        const at = await locateBlob(ctx, digest)
        return at === undefined ? undefined : { size: at.size }
      }),

    presignGet: (digest, urlOpts) => guard('presign', digest, () => presignBlobGet(ctx, digest, urlOpts)),

    delete: (digest: string) =>
      guard('delete', digest, async () => {
        const at = await locateBlob(ctx, digest)
        await deleteKey(ctx, ctx.keys.blob(digest)) // the link first: never one naming bytes that are gone
        if (at?.linked) await deleteKey(ctx, at.key)
      }),

    async *list() {
      try {
        for await (const obj of listObjects(ctx, ctx.keys.blobPrefix)) {
          const digest = obj.Key ? ctx.keys.digestOf(obj.Key) : undefined
          if (digest) yield digest
        }
      } catch (err) {
        throw asBackendFailure(err, where('list'))
      }
    },

    resumable: s3Resumable(ctx, guard),

    async sweep() {
      await checkBucket(ctx.client, ctx.bucket)
      return guard('sweep', undefined, () => sweepLeftovers(ctx, graceMs))
    },
  }
}
