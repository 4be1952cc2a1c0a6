import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { BlobRef } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'
import { ImageError } from './errors.js'
import { MediaError, SNIFF_BYTES, sniffFormat } from './media/index.js'

export const tooLarge = (limit: number) => new ImageError('BODY_TOO_LARGE', `the file is larger than the library's limit of ${limit} bytes`)

const notMedia = () => new MediaError('MEDIA_UNSUPPORTED', 'not a supported image or video (JPEG, PNG, WebP, AVIF, GIF, TIFF, HEIF; MP4, MOV, WebM)')

/**
 * Between the body and the store: fails past `limit`, and looks at the first bytes before letting any through,
 * so a file that is no image or video is refused before the store writes it. `drainRefused`: swallow the rest
 * of a refused file and fail at its end (a multipart body must be read on to its next part), else fail at once.
 */
class Gate extends Transform {
  private received = 0
  private head: Buffer[] = []
  private headLength = 0
  private state: 'sniffing' | 'open' | 'refused' = 'sniffing'

  constructor(
    private readonly limit: number,
    private readonly drainRefused: boolean,
  ) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length
    if (this.received > this.limit) return done(tooLarge(this.limit))
    if (this.state === 'open') return done(null, chunk)
    if (this.state === 'refused') return done()
    this.head.push(chunk)
    this.headLength += chunk.length
    if (this.headLength < SNIFF_BYTES) return done()
    const refusal = this.decide()
    done(refusal && !this.drainRefused ? refusal : null)
  }

  override _flush(done: TransformCallback): void {
    if (this.state === 'sniffing' && this.headLength > 0) this.decide()
    done(this.state === 'refused' ? notMedia() : null)
  }

  /** Open the gate (passing the head on) or refuse; returns the refusal. */
  private decide(): MediaError | undefined {
    const head = Buffer.concat(this.head)
    this.head = []
    if (!sniffFormat(head)) {
      this.state = 'refused'
      return notMedia()
    }
    this.state = 'open'
    this.push(head)
    return undefined
  }
}

/** Stream one file into the store as a blob (hashed while written; an error or abort on the way stores nothing). */
export async function receiveBlob(store: LibraryStore, body: Readable, limit: number, opts: { drainRefused?: boolean } = {}): Promise<BlobRef> {
  const gate = new Gate(limit, opts.drainRefused === true)
  const stored = store.putBlob(gate)
  stored.catch((err: unknown) => gate.destroy(err as Error)) // a failing write must not leave the body stalled
  const flowed = pipeline(body, gate)
  const [flow, blob] = await Promise.allSettled([flowed, stored])
  // A failing body (too large, aborted, refused) fails the store's write too, which keeps nothing: report the
  // body's reason, unless the store failed on its own (a full disk), which then also ended the body.
  const storeOwn = blob.status === 'rejected' && (blob.reason as { code?: unknown }).code === 'NO_SPACE'
  if (flow.status === 'rejected' && !storeOwn) throw flow.reason
  if (blob.status === 'rejected') throw blob.reason
  return blob.value
}

/** A refusal of one file by its content (the rest of a multipart upload goes on). */
export const isContentRefusal = (err: unknown) => err instanceof MediaError && err.code === 'MEDIA_UNSUPPORTED'
