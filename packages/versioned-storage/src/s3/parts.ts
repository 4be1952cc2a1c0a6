import type { Hash } from 'node:crypto'
import type { PartPool } from './part-pool'

export interface Part {
  /** A pool buffer; only its first `length` bytes are the part. */
  readonly buf: Buffer
  readonly length: number
  /** True only for the final part (which may be shorter, or empty for an empty body). */
  readonly last: boolean
}

/**
 * Cut a body into parts of exactly `pool.partSize` bytes, hashing every byte on the way. A full part is held back
 * until the next byte arrives, so the consumer knows whether it is the last one (a blob of one part is one PUT).
 * Buffers the consumer does not get back (the body failed) are returned to the pool.
 */
export async function* cutParts(body: AsyncIterable<Uint8Array>, pool: PartPool, hash: Hash): AsyncGenerator<Part> {
  const size = pool.partSize
  let buf: Buffer | undefined
  let fill = 0
  let full: Buffer | undefined
  try {
    for await (const chunk of body) {
      hash.update(chunk)
      for (let off = 0; off < chunk.length; ) {
        if (full) {
          const part = full
          full = undefined
          yield { buf: part, length: size, last: false }
        }
        buf ??= pool.take()
        const n = Math.min(size - fill, chunk.length - off)
        buf.set(chunk.subarray(off, off + n), fill)
        fill += n
        off += n
        if (fill === size) {
          full = buf
          buf = undefined
          fill = 0
        }
      }
    }
    if (full) {
      const part = full
      full = undefined
      yield { buf: part, length: size, last: true }
    } else {
      const part = buf ?? pool.take()
      buf = undefined
      yield { buf: part, length: fill, last: true }
    }
  } finally {
    if (full) pool.give(full)
    if (buf) pool.give(buf)
  }
}
