// What the S3 uploads crash test and its child agree on: the store they open, and the bytes of an upload as a
// function of (seed, offset) alone, so a child resuming at any acknowledged size appends the same chunks the
// killed one would have, and the parent recomputes the digest of the first N bytes without keeping them.
import { createCipheriv, createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { openStore, type OpenedStore } from '../../src/index'
import { s3Blobs } from '../../src/s3'
import type { BlobDriver } from '../../src/types'

const MiB = 1024 * 1024
export const UPLOAD_PREFIX = 'up/'
/** S3's minimum: chunks above it cut parts, chunks below it stay tail segments (the in-bucket path). */
export const UPLOAD_PART_SIZE = 5 * MiB

export function uploadDriver(client: S3Client, bucket: string): BlobDriver {
  return s3Blobs({ client, bucket, prefix: UPLOAD_PREFIX, partSize: UPLOAD_PART_SIZE, queueSize: 2, sweepGraceMs: 0 })
}

export function openUploadStore(dir: string, blobs: BlobDriver): Promise<OpenedStore> {
  return openStore({ name: 'up', dir, blobs })
}

const keyOf = (seed: string): Buffer => createHash('sha256').update(`bytes:${seed}`).digest()

/** The upload's bytes [offset, offset + length): an AES-256-CTR keystream, so any offset is reachable directly. */
export function bytesAt(seed: string, offset: number, length: number): Buffer {
  const iv = Buffer.alloc(16)
  iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8)
  const skip = offset % 16
  return createCipheriv('aes-256-ctr', keyOf(seed), iv).update(Buffer.alloc(skip + length)).subarray(skip)
}

/**
 * The size of the chunk that starts at `offset`: a quarter tiny (< 64 KiB), a third small (64 KiB – 5 MiB), the
 * rest large (8 – 14 MiB: more than one part).
 */
export function chunkSizeAt(seed: string, offset: number): number {
  const draw = createHash('sha256').update(`size:${seed}:${offset}`).digest()
  const kind = draw.readUInt32BE(0) % 12
  const r = draw.readUInt32BE(4)
  if (kind < 3) return 1 + (r % (64 * 1024))
  if (kind < 7) return 64 * 1024 + (r % (5 * MiB - 64 * 1024))
  return 8 * MiB + 1 + (r % (6 * MiB))
}

/** A chunk as a request body would arrive: 64 KiB pieces. */
export async function* pieces(chunk: Buffer): AsyncIterable<Uint8Array> {
  for (let at = 0; at < chunk.length; at += 64 * 1024) yield chunk.subarray(at, at + 64 * 1024)
}

/** sha256 of the upload's first `size` bytes. */
export function digestOfFirst(seed: string, size: number): string {
  const hash = createHash('sha256')
  for (let at = 0; at < size; at += 4 * MiB) hash.update(bytesAt(seed, at, Math.min(4 * MiB, size - at)))
  return `sha256:${hash.digest('hex')}`
}
