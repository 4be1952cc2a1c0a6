import { open } from 'node:fs/promises'
import { incompleteReason } from './complete.js'
import { MediaError } from './errors.js'
import { DEFAULT_PROBE_TIMEOUT_MS, maxPixelsOf } from './limits.js'
import { probeImage } from './probe-image.js'
import { probeVideo } from './probe-video.js'
import { SNIFF_BYTES, sniffFormat, type Sniffed } from './sniff.js'
import type { MediaInfo, ProbeLimits } from './types.js'

/** Sniffs the file's first bytes and checks its container is whole (without decoding). */
async function sniffFile(path: string): Promise<Sniffed> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    if (size === 0) throw new MediaError('MEDIA_UNSUPPORTED', 'the file is empty')
    const head = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0)
    const sniffed = sniffFormat(head.subarray(0, bytesRead))
    if (!sniffed) throw new MediaError('MEDIA_UNSUPPORTED', 'not a supported image or video (JPEG, PNG, WebP, AVIF, GIF, TIFF, HEIF; MP4, MOV, WebM)')
    const reason = await incompleteReason(file, size, sniffed.format)
    if (reason) throw new MediaError('MEDIA_CORRUPT', reason)
    return sniffed
  } finally {
    await file.close()
  }
}

/** What the file at `path` is, by its content; throws MediaError (MEDIA_UNSUPPORTED, MEDIA_CORRUPT, MEDIA_TOO_LARGE). */
export async function probeMedia(path: string, limits: ProbeLimits = {}): Promise<MediaInfo> {
  const maxPixels = maxPixelsOf(limits.maxPixels)
  const sniffed = await sniffFile(path)
  if (sniffed.kind === 'image') return probeImage(path, sniffed, maxPixels)
  return probeVideo(path, sniffed, {
    maxPixels,
    timeoutMs: limits.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    ffprobePath: limits.ffprobePath ?? 'ffprobe',
    ...(limits.signal ? { signal: limits.signal } : {}),
  })
}
