import sharp, { type Sharp } from 'sharp'
import { MediaError } from './errors.js'
import { DEFAULT_DERIVE_TIMEOUT_MS, maxPixelsOf } from './limits.js'
import { PLACEHOLDER_SIZE, thumbHashOf } from './placeholder.js'
import { posterFrame } from './poster.js'
import { checkSpecs } from './specs.js'
import type { Derivative, DerivativeSpec, DerivedSet, DeriveOptions, MediaInfo } from './types.js'

const MIME = { webp: 'image/webp', jpeg: 'image/jpeg', avif: 'image/avif' } as const

/** Decoded pixels every derivative is made from. */
interface Pixels {
  data: Buffer
  width: number
  height: number
  channels: 1 | 2 | 3 | 4
}

function decodeError(error: unknown): MediaError {
  const message = error instanceof Error ? error.message : String(error)
  if (/pixel limit/i.test(message)) return new MediaError('MEDIA_TOO_LARGE', `the image has more pixels than the limit: ${message}`, { cause: error })
  return new MediaError('MEDIA_CORRUPT', `the image cannot be decoded: ${message}`, { cause: error })
}

/**
 * The one decode: the image, auto-rotated by EXIF orientation, converted to sRGB and shrunk (libjpeg/libwebp
 * shrink-on-load where the format has it) to the largest size any derivative needs, as raw pixels.
 * Animated GIF/WebP: the first frame.
 */
async function decodeImage(path: string, maxSize: number, maxPixels: number): Promise<Pixels> {
  try {
    const { data, info } = await sharp(path, { failOn: 'error', limitInputPixels: maxPixels, autoOrient: true })
      .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    return { data, width: info.width, height: info.height, channels: info.channels }
  } catch (error) {
    throw decodeError(error)
  }
}

function fromPixels(pixels: Pixels): Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } })
}

/** One derivative from the decoded pixels: resized only when smaller than them, no metadata (sharp's default). */
async function encode(pixels: Pixels, spec: DerivativeSpec): Promise<Derivative> {
  let pipeline = fromPixels(pixels)
  if (spec.maxSize < Math.max(pixels.width, pixels.height)) pipeline = pipeline.resize(spec.maxSize, spec.maxSize, { fit: 'inside' })
  const hasAlpha = pixels.channels === 2 || pixels.channels === 4
  if (spec.format === 'jpeg') {
    if (hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' })
    pipeline = pipeline.jpeg({ quality: spec.quality ?? 82, mozjpeg: spec.mozjpeg ?? true })
  } else if (spec.format === 'webp') {
    pipeline = pipeline.webp({ quality: spec.quality ?? 80, effort: 4 })
  } else {
    pipeline = pipeline.avif({ quality: spec.quality ?? 50, effort: 2 }) // AV1 is slow: a low effort keeps it in seconds
  }
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true })
  return { name: spec.name, format: spec.format, mime: MIME[spec.format], width: info.width, height: info.height, bytes: data }
}

/**
 * Every derivative in `specs` from one decode of the file at `path` (auto-rotated by EXIF orientation,
 * metadata stripped), plus the placeholder. Videos: from a poster frame (ffmpeg), and `poster` specs apply
 * to videos only (ignored for images). Derivatives come back in the order of `specs`.
 * Throws MediaError: MEDIA_CORRUPT (cannot be decoded), MEDIA_TOO_LARGE, MEDIA_TOOL_FAILED.
 */
export async function deriveMedia(
  path: string,
  info: MediaInfo,
  specs: readonly DerivativeSpec[],
  options: DeriveOptions = {},
): Promise<DerivedSet> {
  checkSpecs(specs)
  const wanted = info.kind === 'video' ? specs : specs.filter((s) => s.name !== 'poster')
  const largest = Math.max(PLACEHOLDER_SIZE, ...wanted.map((s) => s.maxSize))
  const maxPixels = maxPixelsOf(options.maxPixels)
  const pixels: Pixels =
    info.kind === 'video'
      ? await posterFrame(path, info, {
          maxSize: largest,
          timeoutMs: options.timeoutMs ?? DEFAULT_DERIVE_TIMEOUT_MS,
          ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : await decodeImage(path, largest, maxPixels)
  // The encodes run side by side on libuv's pool (sharp's concurrency is per pipeline).
  const [placeholder, ...derivatives] = await Promise.all([
    thumbHashOf(fromPixels(pixels)),
    ...wanted.map((spec) => encode(pixels, spec)),
  ])
  return { derivatives, placeholder }
}
