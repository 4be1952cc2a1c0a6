import { createHash } from 'node:crypto'
import type { StagedBlob } from '../types'
import { settleOnce } from '../staged'
import { StorageError } from '../errors'
import { hexDigest } from '../digest'
import type { S3Context } from './context'
import { copyObject } from './copy'
import { locateBlob, putLink } from './links'
import { abortMultipart, completeMultipart, createMultipart, uploadParts } from './multipart'
import { deleteKey, putBytes } from './objects'
import { cutParts, type Part } from './parts'

function assertExpected(expected: string | undefined, digest: string): void {
  if (expected !== undefined && expected !== digest) {
    throw new StorageError('DIGEST_MISMATCH', `received bytes hash to ${digest}, expected ${expected}`)
  }
}

/**
 * Stream a body to the bucket, hashing it on the way; nothing is visible under a digest key until `publish`.
 * - one part or less: held in memory (about its own size), PUT under its digest on publish (after a HEAD: de-duplicated);
 * - expected digest already stored (HEAD): the body is only hashed, publish is a no-op once it matches;
 * - expected digest, larger: a multipart upload at the digest key, completed on publish (S3 shows nothing before);
 * - unknown digest, larger: a multipart upload to a data key (its staging marker beside it), copied to the digest
 *   key on publish, or linked from it when at least `ctx.linkAbove` bytes.
 */
export async function stageBlob(ctx: S3Context, body: AsyncIterable<Uint8Array>, expected?: string): Promise<StagedBlob> {
  const hash = createHash('sha256')
  if (expected !== undefined) {
    const stored = await locateBlob(ctx, expected)
    if (stored !== undefined) return hashOnly(body, expected, stored.size)
  }
  const parts = cutParts(body, ctx.pool, hash)
  const first = (await parts.next()).value as Part
  if (first.last) return onePart(ctx, first, hexDigest(hash.digest('hex')), expected)

  const marker = expected === undefined ? ctx.keys.staging() : undefined
  const key = marker === undefined ? ctx.keys.blob(expected!) : ctx.keys.dataOf(marker)
  let uploadId: string
  try {
    uploadId = await createMultipart(ctx, key)
  } catch (err) {
    ctx.pool.give(first.buf)
    await parts.return(undefined)
    throw err
  }
  let size = 0
  async function* all(): AsyncGenerator<Part> {
    size += first.length
    yield first
    for await (const part of parts) {
      size += part.length
      yield part
    }
  }
  try {
    const completed = await uploadParts(ctx, key, uploadId, all())
    const digest = hexDigest(hash.digest('hex'))
    if (expected !== undefined) {
      return settleOnce(
        digest,
        size,
        async () => {
          if (digest !== expected) await abortMultipart(ctx, key, uploadId).catch(() => undefined)
          assertExpected(expected, digest)
          await completeMultipart(ctx, key, uploadId, completed, size)
        },
        () => abortMultipart(ctx, key, uploadId),
      )
    }
    // The marker before the bytes become an object: a sweep finds them by it if this process dies.
    await putBytes(ctx, marker!, Buffer.alloc(0))
    await completeMultipart(ctx, key, uploadId, completed, size)
    return settleOnce(
      digest,
      size,
      () => publishStaged(ctx, marker!, digest, size),
      () => discardStaged(ctx, marker!),
    )
  } catch (err) {
    await abortMultipart(ctx, key, uploadId).catch(() => undefined)
    if (marker !== undefined) await discardStaged(ctx, marker).catch(() => undefined)
    throw err
  }
}

async function hashOnly(body: AsyncIterable<Uint8Array>, expected: string, stored: number): Promise<StagedBlob> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body) {
    hash.update(chunk)
    size += chunk.length
  }
  const digest = hexDigest(hash.digest('hex'))
  return settleOnce(
    digest,
    size,
    async () => {
      assertExpected(expected, digest)
      if (size !== stored) throw new StorageError('BACKEND_FAILED', `the stored ${digest} has ${stored} bytes, not ${size}`)
    },
    async () => undefined,
  )
}

function onePart(ctx: S3Context, part: Part, digest: string, expected: string | undefined): StagedBlob {
  const release = async (): Promise<void> => ctx.pool.give(part.buf)
  return settleOnce(
    digest,
    part.length,
    async () => {
      try {
        assertExpected(expected, digest)
        if ((await locateBlob(ctx, digest)) !== undefined) return
        await putBytes(ctx, ctx.keys.blob(digest), part.buf.subarray(0, part.length))
      } finally {
        await release()
      }
    },
    release,
  )
}

/** Verified bytes in another object become the blob: copied under the digest key unless already there. */
export async function publishCopy(ctx: S3Context, from: string, digest: string, size: number): Promise<void> {
  if ((await locateBlob(ctx, digest)) === undefined) await copyObject(ctx, from, ctx.keys.blob(digest), size)
}

/**
 * The verified bytes of a write of unknown digest become the blob: below `ctx.linkAbove` copied under the digest
 * key, above it linked from there (no copy). Nothing happens when the digest is stored already.
 */
async function publishStaged(ctx: S3Context, marker: string, digest: string, size: number): Promise<void> {
  const data = ctx.keys.dataOf(marker)
  const stored = (await locateBlob(ctx, digest)) !== undefined
  if (stored || size < ctx.linkAbove) {
    try {
      if (!stored) await copyObject(ctx, data, ctx.keys.blob(digest), size)
    } finally {
      await discardStaged(ctx, marker).catch(() => undefined)
    }
    return
  }
  await putBytes(ctx, marker, Buffer.from(digest)) // the sweep's proof that a link may name these bytes
  await putLink(ctx, digest, data, size)
  // Two writers of the same bytes: the link written last wins, the other's bytes go.
  if ((await locateBlob(ctx, digest))?.key !== data) await deleteKey(ctx, data)
  await deleteKey(ctx, marker)
}

/** A write of unknown digest undone: its bytes, then its marker (a sweep removes what a crash leaves between). */
async function discardStaged(ctx: S3Context, marker: string): Promise<void> {
  await deleteKey(ctx, ctx.keys.dataOf(marker))
  await deleteKey(ctx, marker)
}
