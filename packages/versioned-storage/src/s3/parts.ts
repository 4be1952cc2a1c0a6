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
 * Buffers the consumer does not get back (the body failed) are returned to the pool. The first part grows as
 * bytes arrive, so a small blob holds about its own size, not a whole part. `reserve` (< partSize) bytes at the
 * head of the first part are left for the consumer to fill (an upload's tail stored earlier).
 */
export async function* cutParts(body: AsyncIterable<Uint8Array>, pool: PartPool, hash: { update(chunk: Uint8Array): unknown }, reserve = 0): AsyncGenerator<Part> {
  const size = pool.partSize
  let buf: Buffer | undefined
  let fill = reserve
  let full: Buffer | undefined
  let first = true
  try {
    for await (const chunk of body) {
      hash.update(chunk)
      for (let off = 0; off < chunk.length; ) {
        if (full) {
          const part = full
          full = undefined
          yield { buf: part, length: size, last: false }
        }
        const n = Math.min(size - fill, chunk.length - off)
        buf = room(buf, fill, fill + n, pool, first)
        buf.set(chunk.subarray(off, off + n), fill)
        fill += n
        off += n
        if (fill === size) {
          full = buf
          buf = undefined
          fill = 0
          first = false
        }
      }
    }
    if (full) {
      const part = full
      full = undefined
      yield { buf: part, length: size, last: true }
    } else {
      const part = buf ?? (fill === 0 ? Buffer.alloc(0) : room(undefined, 0, fill, pool, first))
      buf = undefined
      yield { buf: part, length: fill, last: true }
    }
  } finally {
    if (full) pool.give(full)
    if (buf) pool.give(buf)
  }
}

const SMALL = 1024 * 1024

/**
 * A buffer with room for `need` bytes, keeping the first `fill`: the first part starts small and doubles up to
 * 1 MiB (a small blob holds about its own size), then moves to a pool buffer like every later part.
 */
function room(buf: Buffer | undefined, fill: number, need: number, pool: PartPool, first: boolean): Buffer {
  if (buf && buf.length >= need) return buf
  const grown = first && need <= SMALL ? Buffer.allocUnsafe(Math.min(SMALL, Math.max(64 * 1024, need, (buf?.length ?? 0) * 2))) : pool.take()
  if (buf) buf.copy(grown, 0, 0, fill)
  return grown
}
