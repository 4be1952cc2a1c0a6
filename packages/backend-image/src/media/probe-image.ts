import sharp, { type Metadata } from 'sharp'
import { MediaError } from './errors.js'
import { readExif } from './exif.js'
import { baseInfo, type Sniffed } from './sniff.js'
import type { MediaInfo } from './types.js'

/** sharp's name for each format we sniff (AVIF and HEIF are both its `heif`). */
const SHARP_FORMAT: Record<string, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff', avif: 'heif', heif: 'heif' }

/**
 * Formats with no cheap structural check (see complete.ts), and HEIF, whose codec (AV1 decodes, HEVC needs a
 * libheif plugin the prebuilt sharp lacks) only shows on decode: a small decode of the first frame proves them.
 */
const VERIFY_BY_DECODE = new Set(['gif', 'tiff', 'heif'])

/** libheif's words for "no decoder for this codec" (HEVC-coded HEIC in the prebuilt sharp). */
const NO_DECODER = /has not been built in|unsupported codec|decoder plugin/i

export function corrupt(what: string, cause: unknown): MediaError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new MediaError('MEDIA_CORRUPT', `${what} cannot be decoded${detail}`, { cause })
}

/** Everything about an image from its header (sharp) and EXIF (exifr); never decodes the pixels of JPEG/PNG/WebP/AVIF/HEIF. */
export async function probeImage(path: string, sniffed: Sniffed, maxPixels: number): Promise<MediaInfo> {
  const label = `the ${sniffed.format.toUpperCase()} file`
  let meta: Metadata
  try {
    meta = await sharp(path, { limitInputPixels: false, failOn: 'none' }).metadata()
  } catch (error) {
    throw corrupt(label, error)
  }
  if (meta.format !== SHARP_FORMAT[sniffed.format]) throw new MediaError('MEDIA_CORRUPT', `${label} decodes as ${String(meta.format)}`)
  const width = meta.width
  const frameHeight = meta.pageHeight ?? meta.height
  if (!width || !frameHeight) throw new MediaError('MEDIA_CORRUPT', `${label} has no dimensions`)
  if (width * frameHeight > maxPixels) {
    throw new MediaError('MEDIA_TOO_LARGE', `${width}×${frameHeight} is ${width * frameHeight} pixels, more than the limit of ${maxPixels}`)
  }
  if (VERIFY_BY_DECODE.has(sniffed.format)) {
    try {
      await sharp(path, { failOn: 'error', limitInputPixels: maxPixels }).resize(64, 64, { fit: 'inside' }).raw().toBuffer()
    } catch (error) {
      if (sniffed.format === 'heif' && error instanceof Error && NO_DECODER.test(error.message)) {
        throw new MediaError('MEDIA_UNSUPPORTED', `this HEIF image's codec (HEVC, as in phones' HEIC) cannot be decoded by this build; AV1-coded HEIF can`, { cause: error })
      }
      throw corrupt(label, error)
    }
  }
  const orientation = meta.orientation !== undefined && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : undefined
  const swap = orientation !== undefined && orientation >= 5
  const facts = sniffed.format === 'tiff' ? await readExif(path) : meta.exif ? await readExif(meta.exif) : {}
  const info: MediaInfo = { ...baseInfo(sniffed, width, frameHeight, swap), ...facts }
  if (orientation !== undefined) info.orientation = orientation
  if (meta.hasAlpha) info.hasAlpha = true
  const frames = meta.pages ?? 1
  if (frames > 1 && (sniffed.format === 'gif' || sniffed.format === 'webp')) {
    info.animated = true
    info.frames = frames
    if (meta.delay && meta.delay.length > 0) info.durationSeconds = meta.delay.reduce((sum: number, ms: number) => sum + ms, 0) / 1000
  }
  return info
}
