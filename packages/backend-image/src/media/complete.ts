import type { FileHandle } from 'node:fs/promises'
import type { MediaFormat } from './types.js'

/**
 * Cheap checks that a file's container is whole — that its declared structure reaches its end — without
 * decoding pixels: a truncated upload is refused at probe time, and decoding (the expensive part) happens once,
 * in deriveMedia. Each returns a reason when the file is cut short, `undefined` when it looks whole.
 * Formats without a cheap check here (GIF, TIFF) are verified by decoding instead.
 */
export async function incompleteReason(file: FileHandle, size: number, format: MediaFormat): Promise<string | undefined> {
  switch (format) {
    case 'jpeg': return jpegIncomplete(new Reader(file, size))
    case 'png': return pngIncomplete(file, size)
    case 'webp': return riffIncomplete(file, size)
    case 'avif': case 'heif': case 'mp4': case 'mov': return bmffIncomplete(file, size)
    case 'webm': return ebmlIncomplete(file, size)
    default: return undefined
  }
}

const CHUNK = 1 << 18

/** Buffered positional reads over a file handle (one chunk in memory at a time). */
class Reader {
  private buf = Buffer.alloc(CHUNK)
  private start = 0
  private end = 0
  constructor(private readonly file: FileHandle, readonly size: number) {}

  /** The byte at `pos`, or -1 past the end. */
  async byte(pos: number): Promise<number> {
    if (pos >= this.size) return -1
    if (pos < this.start || pos >= this.end) await this.fill(pos)
    return this.buf[pos - this.start]!
  }

  /** The first position ≥ `pos` holding `value`, or -1. */
  async indexOf(value: number, pos: number): Promise<number> {
    while (pos < this.size) {
      if (pos < this.start || pos >= this.end) await this.fill(pos)
      const at = this.buf.subarray(0, this.end - this.start).indexOf(value, pos - this.start)
      if (at >= 0) return this.start + at
      pos = this.end
    }
    return -1
  }

  private async fill(pos: number): Promise<void> {
    const { bytesRead } = await this.file.read(this.buf, 0, CHUNK, pos)
    this.start = pos
    this.end = pos + bytesRead
  }
}

/**
 * Walks JPEG markers from SOI to EOI: segments by their lengths, entropy-coded data by scanning for the next
 * marker (0xFF not followed by a stuffed 0x00 or a restart marker). Data after EOI (phone "motion photo"
 * trailers, MPF) is allowed. No EOI before the end of the file means it was cut short.
 */
async function jpegIncomplete(r: Reader): Promise<string | undefined> {
  let pos = 2
  for (;;) {
    if ((await r.byte(pos)) !== 0xff) {
      // Stray bytes between segments: libjpeg skips them with a warning, and so do we.
      pos = await r.indexOf(0xff, pos)
      if (pos < 0) break
    }
    let marker = await r.byte(pos + 1)
    while (marker === 0xff) marker = await r.byte(++pos + 1) // fill bytes
    if (marker < 0) break
    pos += 2
    if (marker === 0xd9) return undefined // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue // markers without a length
    const hi = await r.byte(pos)
    const lo = await r.byte(pos + 1)
    if (lo < 0) break
    pos += (hi << 8) | lo
    if (pos > r.size) break
    if (marker !== 0xda) continue
    // SOS: entropy-coded data runs to the next real marker.
    for (;;) {
      const ff = await r.indexOf(0xff, pos)
      if (ff < 0) return 'the JPEG ends inside its image data (truncated)'
      const next = await r.byte(ff + 1)
      if (next < 0) return 'the JPEG ends inside its image data (truncated)'
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) { pos = ff + 2; continue }
      if (next === 0xff) { pos = ff + 1; continue }
      pos = ff
      break
    }
  }
  return 'the JPEG ends before its end-of-image marker (truncated)'
}

async function readAt(file: FileHandle, pos: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length)
  const { bytesRead } = await file.read(buf, 0, length, pos)
  return buf.subarray(0, bytesRead)
}

/** A whole PNG has its IEND chunk; it is the last chunk, so look for it near the end. */
async function pngIncomplete(file: FileHandle, size: number): Promise<string | undefined> {
  const tailLength = Math.min(size, 4096)
  const tail = await readAt(file, size - tailLength, tailLength)
  return tail.includes('IEND', 0, 'latin1') ? undefined : 'the PNG has no IEND chunk (truncated)'
}

/** RIFF (WebP) declares its length in its header. */
async function riffIncomplete(file: FileHandle, size: number): Promise<string | undefined> {
  const head = await readAt(file, 0, 8)
  const declared = head.readUInt32LE(4) + 8
  return declared > size ? `the WebP declares ${declared} bytes but has ${size} (truncated)` : undefined
}

/** ISO-BMFF (AVIF, HEIF, MP4, MOV): every top-level box must fit in the file. */
async function bmffIncomplete(file: FileHandle, size: number): Promise<string | undefined> {
  let pos = 0
  while (pos < size) {
    if (size - pos < 8) return 'the file ends inside a box header (truncated)'
    const header = await readAt(file, pos, 16)
    let boxSize = header.readUInt32BE(0)
    if (boxSize === 1) {
      if (header.length < 16) return 'the file ends inside a box header (truncated)'
      boxSize = Number(header.readBigUInt64BE(8))
    } else if (boxSize === 0) {
      return undefined // the last box runs to the end of the file
    }
    if (boxSize < 8) return `a box of ${boxSize} bytes at ${pos} is malformed`
    if (pos + boxSize > size) return `the ${header.toString('latin1', 4, 8)} box runs past the end of the file (truncated)`
    pos += boxSize
  }
  return undefined
}

/** An EBML variable-length integer at `pos`: its length in bytes and value (`unknown`: all value bits set). */
function vint(buf: Buffer, pos: number): { length: number; value: number; unknown: boolean } | undefined {
  const first = buf[pos]
  if (first === undefined || first === 0) return undefined
  const length = Math.clz32(first) - 23 // 1..8
  if (pos + length > buf.length) return undefined
  let value = first & (0xff >> length)
  let allOnes = value === 0xff >> length
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[pos + i]!
    if (buf[pos + i] !== 0xff) allOnes = false
  }
  return { length, value, unknown: allOnes }
}

/** WebM: the Segment after the EBML header declares its size (unless streamed with "unknown" size). */
async function ebmlIncomplete(file: FileHandle, size: number): Promise<string | undefined> {
  const head = await readAt(file, 0, 4096)
  const headerSize = vint(head, 4)
  if (!headerSize) return 'the WebM header is malformed'
  const segment = 4 + headerSize.length + headerSize.value
  if (head.readUInt32BE(segment) !== 0x18538067) return undefined // no Segment where expected: let ffprobe judge
  const segmentSize = vint(head, segment + 4)
  if (!segmentSize) return 'the WebM segment header is malformed'
  if (segmentSize.unknown) return undefined
  const end = segment + 4 + segmentSize.length + segmentSize.value
  return end > size ? `the WebM segment declares ${end} bytes but the file has ${size} (truncated)` : undefined
}
