// Linked blobs: a blob whose bytes were streamed before their digest was known, and are too large to be worth a
// server-side copy, stays where it was streamed (`data/<name>`); its digest key holds a zero-byte link object
// whose metadata names that key and the blob's size. Written only after the bytes are verified, so a blob is
// still visible under its digest only once verified. Readers resolve a link with the HEAD or GET they make anyway.
import type { S3Context } from './context'
import { headObject, putBytes } from './objects'

/** Metadata names of a link object (S3 hands them back lower-cased, as `x-amz-meta-<name>`). */
const TARGET = 'everlock-target'
const SIZE = 'everlock-size'

/** Where a blob's bytes are and how many there are. */
export interface BlobLocation {
  readonly key: string
  readonly size: number
  /** The bytes are in another object, named by a link at the digest key. */
  readonly linked: boolean
}

/** The link an object's metadata describes, if it is one (only keys of this driver's data prefix count). */
export function linkOf(ctx: S3Context, metadata: Record<string, string> | undefined): { key: string; size: number } | undefined {
  const key = metadata?.[TARGET]
  const size = Number(metadata?.[SIZE])
  if (key === undefined || !key.startsWith(ctx.keys.dataPrefix) || !Number.isSafeInteger(size) || size < 0) return undefined
  return { key, size }
}

/** The blob under a digest key: its own bytes, or those its link names; undefined when there is none. */
export async function locateBlob(ctx: S3Context, digest: string): Promise<BlobLocation | undefined> {
  const key = ctx.keys.blob(digest)
  const head = await headObject(ctx, key)
  if (head === undefined) return undefined
  const link = linkOf(ctx, head.metadata)
  return link ? { ...link, linked: true } : { key, size: head.size, linked: false }
}

/** Make `digest` name the verified bytes at `target`. */
export async function putLink(ctx: S3Context, digest: string, target: string, size: number): Promise<void> {
  await putBytes(ctx, ctx.keys.blob(digest), Buffer.alloc(0), { [TARGET]: target, [SIZE]: String(size) })
}
