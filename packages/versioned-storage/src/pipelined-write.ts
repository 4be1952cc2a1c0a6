import type { FileHandle } from 'node:fs/promises'

const MiB = 1024 * 1024
const MAX_IOVECS = 64

export interface PipelinedWriteOptions {
  /** Where the first byte goes (the file is written with explicit positions, never O_APPEND). */
  readonly position?: number
  /** Called with every chunk, in order, as it arrives (e.g. to hash it). */
  readonly onChunk?: (chunk: Uint8Array) => void
  /** Chunks are gathered into batches of about this many bytes, each written with one writev. */
  readonly batchBytes?: number
  /** At most this many batch writes run at once; the body is not read further until one finishes. */
  readonly maxInFlight?: number
  /** After this many more bytes are written, an fdatasync starts in the background (at most one at a time). */
  readonly syncEveryBytes?: number
}

export const PIPELINE_DEFAULTS = { batchBytes: 1 * MiB, maxInFlight: 4, syncEveryBytes: 32 * MiB } as const

/**
 * Write a whole body to `fh` and fsync it; resolves with the number of bytes written only once they are durable.
 * Receiving overlaps with writing: while one batch is written (at its explicit position), the next is being
 * received. Memory stays bounded by about `batchBytes * (maxInFlight + 1)` plus one chunk, and TCP backpressure
 * still works because the body is not read while `maxInFlight` writes are running. Writeback starts early with
 * background fdatasyncs so the final fsync has little left to do.
 *
 * On any failure (a write, a background sync, the body itself) it stops reading the body, waits until no write or
 * sync of its own is running, and throws the first error; undoing the partial data is the caller's job.
 */
export async function writeBodyDurably(fh: FileHandle, body: AsyncIterable<Uint8Array>, options: PipelinedWriteOptions = {}): Promise<number> {
  const writer = new PipelinedWriter(fh, options)
  try {
    for await (const chunk of body) {
      options.onChunk?.(chunk)
      if (writer.add(chunk)) await writer.flush()
    }
    return await writer.finish()
  } catch (err) {
    await writer.settle()
    throw err
  }
}

class PipelinedWriter {
  private readonly batchBytes: number
  private readonly maxInFlight: number
  private readonly syncEveryBytes: number
  private batch: Uint8Array[] = []
  private batchLength = 0
  private position: number
  private readonly start: number
  private readonly inFlight: Promise<void>[] = []
  private written = 0
  private syncedUpTo = 0
  private syncing: Promise<void> | undefined
  private failure: { error: unknown } | undefined

  constructor(
    private readonly fh: FileHandle,
    options: PipelinedWriteOptions,
  ) {
    this.batchBytes = Math.max(1, options.batchBytes ?? PIPELINE_DEFAULTS.batchBytes)
    this.maxInFlight = Math.max(1, options.maxInFlight ?? PIPELINE_DEFAULTS.maxInFlight)
    this.syncEveryBytes = options.syncEveryBytes ?? PIPELINE_DEFAULTS.syncEveryBytes
    this.position = this.start = options.position ?? 0
  }

  /** Take a chunk; true when a batch is full and should be flushed. */
  add(chunk: Uint8Array): boolean {
    if (chunk.byteLength === 0) return false
    this.batch.push(chunk)
    this.batchLength += chunk.byteLength
    return this.batchLength >= this.batchBytes
  }

  /** Start writing the gathered batch, first waiting for room if `maxInFlight` writes are running. */
  async flush(): Promise<void> {
    while (this.inFlight.length >= this.maxInFlight) await this.inFlight.shift()
    this.throwIfFailed()
    if (this.batchLength === 0) return
    const buffers = this.batch
    const at = this.position
    this.position += this.batchLength
    this.batch = []
    this.batchLength = 0
    this.inFlight.push(
      writevAll(this.fh, buffers, at).then(
        (n) => this.wrote(n),
        (error: unknown) => this.fail(error),
      ),
    )
  }

  /** Write what is left, wait for every write and sync, then fsync; resolves with the byte count. */
  async finish(): Promise<number> {
    await this.flush()
    await this.settle()
    this.throwIfFailed()
    await this.fh.sync()
    return this.position - this.start
  }

  /** Wait until nothing of ours runs on the file any more. Never rejects (failures are kept in `failure`). */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift()
    while (this.syncing) await this.syncing
  }

  private wrote(bytes: number): void {
    this.written += bytes
    if (this.syncEveryBytes > 0 && !this.syncing && !this.failure && this.written - this.syncedUpTo >= this.syncEveryBytes) {
      const upTo = this.written
      this.syncing = this.fh.datasync().then(
        () => {
          this.syncedUpTo = upTo
          this.syncing = undefined
        },
        (error: unknown) => {
          this.fail(error)
          this.syncing = undefined
        },
      )
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error
  }
}

/** writev all of `buffers` at `position`, going on after short writes (a full disk may write fewer bytes). */
export async function writevAll(fh: FileHandle, buffers: Uint8Array[], position: number): Promise<number> {
  // Many tiny chunks: one copy is cheaper than a huge iovec (and stays under IOV_MAX).
  let pending = buffers.length > MAX_IOVECS ? [Buffer.concat(buffers)] : buffers
  let at = position
  let total = 0
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, at)
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    at += bytesWritten
    total += bytesWritten
    pending = dropBytes(pending, bytesWritten)
  }
  return total
}

function dropBytes(buffers: Uint8Array[], count: number): Uint8Array[] {
  let i = 0
  let left = count
  while (i < buffers.length && left >= buffers[i]!.byteLength) left -= buffers[i++]!.byteLength
  const rest = buffers.slice(i)
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left)
  return rest
}
