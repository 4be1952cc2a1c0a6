import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { BlobRef } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'
import { ImageError } from './errors.js'

/** Counts bytes on their way through and fails the stream past `limit`, so nothing over it is ever stored. */
class Limit extends Transform {
  received = 0
  constructor(private readonly limit: number) {
    super()
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length
    if (this.received > this.limit) done(tooLarge(this.limit))
    else done(null, chunk)
  }
}

export const tooLarge = (limit: number) => new ImageError('BODY_TOO_LARGE', `the file is larger than the library's limit of ${limit} bytes`)

/** Stream one file into the store as a blob (hashed while written; an error or abort on the way stores nothing). */
export async function receiveBlob(store: LibraryStore, body: Readable, limit: number): Promise<BlobRef> {
  const counter = new Limit(limit)
  const stored = store.putBlob(counter)
  stored.catch((err: unknown) => counter.destroy(err as Error)) // a failing write must not leave the body stalled
  const flowed = pipeline(body, counter)
  const [flow, blob] = await Promise.allSettled([flowed, stored])
  // A failing body (too large, aborted) fails the store's write too, which keeps nothing: report the body's
  // reason, unless the store failed on its own (a full disk), which then also ended the body.
  const storeOwn = blob.status === 'rejected' && (blob.reason as { code?: unknown }).code === 'NO_SPACE'
  if (flow.status === 'rejected' && !storeOwn) throw flow.reason
  if (blob.status === 'rejected') throw blob.reason
  return blob.value
}
