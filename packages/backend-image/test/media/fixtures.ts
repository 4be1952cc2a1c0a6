/**
 * Test and bench media, generated on the spot with real sharp and real ffmpeg (nothing downloaded, nothing
 * committed). Import from other tests and the bench:
 *
 *   import { makeJpeg, makeImage, makeVideo, writeFixture } from '../media/fixtures.js'
 *   const bytes = await makeJpeg({ width: 4000, height: 3000, orientation: 6, gps: { latitude: 48.85, longitude: 2.29 } })
 *
 * Images are described as DISPLAYED (width × height after orientation); with an EXIF orientation the stored
 * pixels are the inverse transform of that, as a camera held sideways writes them, so a viewer that honours the
 * orientation shows exactly the described picture.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { crc32 } from 'node:zlib'
import sharp, { type Exif, type Sharp } from 'sharp'

const run = promisify(execFile)

/** The four quadrants of the `quadrants` pattern, as displayed: distinct, so any rotation or mirror shows. */
export const QUADRANT_COLOURS = {
  topLeft: [220, 30, 30],
  topRight: [30, 180, 40],
  bottomLeft: [30, 60, 220],
  bottomRight: [240, 220, 30],
} as const satisfies Record<string, readonly [number, number, number]>

export type Quadrant = keyof typeof QUADRANT_COLOURS

export interface PhotoOptions {
  /** Displayed size. */
  width: number
  height: number
  /** EXIF orientation 1..8 (JPEG, PNG, WebP, TIFF). */
  orientation?: number
  gps?: { latitude: number; longitude: number; altitude?: number }
  /** EXIF DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS`, with `offset` (`+02:00`) as OffsetTimeOriginal. */
  takenAt?: string
  offset?: string
  camera?: { make?: string; model?: string; lens?: string }
  exposure?: { exposureTime?: string; fNumber?: string; iso?: number; focalLength?: string }
  /** `photo`: smooth structures plus grain, compresses like a real photo. `quadrants`: four flat colours. */
  pattern?: 'photo' | 'quadrants'
  quality?: number
}

export type StillFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'heif'

/** Raw RGB pixels of the displayed picture. */
async function displayed(width: number, height: number, pattern: 'photo' | 'quadrants'): Promise<Sharp> {
  if (pattern === 'quadrants') {
    const data = Buffer.alloc(width * height * 3)
    const halfW = Math.floor(width / 2)
    const halfH = Math.floor(height / 2)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const q: Quadrant = y < halfH ? (x < halfW ? 'topLeft' : 'topRight') : x < halfW ? 'bottomLeft' : 'bottomRight'
        const c = QUADRANT_COLOURS[q]
        const i = (y * width + x) * 3
        data[i] = c[0]; data[i + 1] = c[1]; data[i + 2] = c[2]
      }
    }
    return sharp(data, { raw: { width, height, channels: 3 } })
  }
  // Large soft shapes, finer texture over them, and a tiled grain on top: compresses like a real photo, fast to make.
  const layer = async (divisor: number, sigma: number) => {
    const w = Math.max(2, Math.ceil(width / divisor))
    const h = Math.max(2, Math.ceil(height / divisor))
    const noise = await sharp({ create: { width: w, height: h, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma } } }).raw().toBuffer()
    return sharp(noise, { raw: { width: w, height: h, channels: 3 } }).resize(width, height, { fit: 'fill', kernel: 'cubic' }).png({ compressionLevel: 0 }).toBuffer()
  }
  const tile = Math.min(509, width, height) // odd, so the tiling lines up with no 8×8 block
  const grain = await sharp({ create: { width: tile, height: tile, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 8 } } }).png({ compressionLevel: 0 }).toBuffer()
  const shapes = await sharp({ create: { width: Math.max(2, Math.ceil(width / 300)), height: Math.max(2, Math.ceil(height / 300)), channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 120, sigma: 70 } } })
    .raw().toBuffer({ resolveWithObject: true })
  const photo = await sharp(shapes.data, { raw: shapes.info })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .composite([{ input: await layer(12, 30), blend: 'soft-light' }, { input: grain, tile: true, blend: 'overlay' }])
    .removeAlpha().raw().toBuffer()
  return sharp(photo, { raw: { width, height, channels: 3 } })
}

/** Stored pixels for an orientation: the inverse of what a viewer applies, one step at a time. */
async function stored(picture: Sharp, orientation: number): Promise<Sharp> {
  const steps: ((s: Sharp) => Sharp)[] = {
    1: [],
    2: [(s: Sharp) => s.flop()],
    3: [(s: Sharp) => s.rotate(180)],
    4: [(s: Sharp) => s.flip()],
    5: [(s: Sharp) => s.rotate(90), (s: Sharp) => s.flop()], // transpose (its own inverse)
    6: [(s: Sharp) => s.rotate(270)],
    7: [(s: Sharp) => s.rotate(270), (s: Sharp) => s.flop()], // transverse (its own inverse)
    8: [(s: Sharp) => s.rotate(90)],
  }[orientation] ?? []
  let current = picture
  for (const step of steps) {
    const { data, info } = await step(current).raw().toBuffer({ resolveWithObject: true })
    current = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
  }
  return current
}

function rational(value: number, scale = 10000): string {
  return `${Math.round(value * scale)}/${scale}`
}

function dms(decimal: number): string {
  const abs = Math.abs(decimal)
  const d = Math.floor(abs)
  const m = Math.floor((abs - d) * 60)
  const s = (abs - d - m / 60) * 3600
  return `${d}/1 ${m}/1 ${rational(s, 1000)}`
}

function exifOf(o: PhotoOptions): Exif | undefined {
  const ifd0: Record<string, string> = {}
  const ifd2: Record<string, string> = {}
  const ifd3: Record<string, string> = {}
  if (o.camera?.make) ifd0.Make = o.camera.make
  if (o.camera?.model) ifd0.Model = o.camera.model
  if (o.camera?.lens) ifd2.LensModel = o.camera.lens
  if (o.takenAt) ifd2.DateTimeOriginal = o.takenAt.replace('T', ' ').replace(/^(\d{4})-(\d{2})-(\d{2})/, '$1:$2:$3')
  if (o.offset) ifd2.OffsetTimeOriginal = o.offset
  if (o.exposure?.exposureTime) ifd2.ExposureTime = o.exposure.exposureTime
  if (o.exposure?.fNumber) ifd2.FNumber = o.exposure.fNumber
  if (o.exposure?.iso) ifd2.ISOSpeedRatings = String(o.exposure.iso)
  if (o.exposure?.focalLength) ifd2.FocalLength = o.exposure.focalLength
  if (o.gps) {
    ifd3.GPSLatitudeRef = o.gps.latitude < 0 ? 'S' : 'N'
    ifd3.GPSLatitude = dms(o.gps.latitude)
    ifd3.GPSLongitudeRef = o.gps.longitude < 0 ? 'W' : 'E'
    ifd3.GPSLongitude = dms(o.gps.longitude)
    if (o.gps.altitude !== undefined) {
      ifd3.GPSAltitudeRef = o.gps.altitude < 0 ? '1' : '0'
      ifd3.GPSAltitude = rational(Math.abs(o.gps.altitude), 100)
    }
  }
  const exif: Exif = {}
  if (Object.keys(ifd0).length) exif.IFD0 = ifd0
  if (Object.keys(ifd2).length) exif.IFD2 = ifd2
  if (Object.keys(ifd3).length) exif.IFD3 = ifd3
  return Object.keys(exif).length ? exif : undefined
}

/**
 * A still image in `format`. HEIF: the prebuilt sharp encodes AV1 only, so this is an AV1-coded HEIF
 * with the generic `mif1` brand (what the prebuilt sharp can decode of HEIF); HEVC-coded HEIC cannot be made here.
 */
export async function makeImage(format: StillFormat, options: PhotoOptions): Promise<Buffer> {
  const orientation = options.orientation ?? 1
  if (orientation !== 1 && (format === 'avif' || format === 'heif')) throw new TypeError('AVIF/HEIF carry orientation in irot/imir, not EXIF: use orientation 1')
  let image = await stored(await displayed(options.width, options.height, options.pattern ?? 'photo'), orientation)
  const exif = exifOf(options)
  if (exif) image = image.withExif(exif)
  if (orientation !== 1) image = image.withMetadata({ orientation })
  const quality = options.quality
  switch (format) {
    case 'jpeg': return image.jpeg({ quality: quality ?? 88 }).toBuffer()
    case 'png': return image.png({ compressionLevel: 6 }).toBuffer()
    case 'webp': return image.webp({ quality: quality ?? 85 }).toBuffer()
    case 'avif': return image.avif({ quality: quality ?? 60, effort: 2 }).toBuffer()
    case 'tiff': return image.tiff({ compression: 'lzw' }).toBuffer()
    case 'heif': return asGenericHeif(await image.heif({ compression: 'av1', quality: quality ?? 60, effort: 2 }).toBuffer())
  }
}

export function makeJpeg(options: PhotoOptions): Promise<Buffer> {
  return makeImage('jpeg', options)
}

/** Rewrites an AVIF's `ftyp` brands (`avif` → `mif1`) in place: the same AV1 image as generic HEIF. */
function asGenericHeif(avif: Buffer): Buffer {
  const out = Buffer.from(avif)
  const size = out.readUInt32BE(0)
  for (let i = 8; i + 4 <= size; i += 4) {
    const brand = out.toString('latin1', i, i + 4)
    if (brand === 'avif' || brand === 'avis') out.write('mif1', i, 'latin1')
  }
  return out
}

/** An animated GIF or WebP: `frames` frames of different flat colours (first frame red). */
export async function makeAnimated(format: 'gif' | 'webp', o: { width: number; height: number; frames: number; delayMs?: number }): Promise<Buffer> {
  const frame = o.width * o.height * 4
  const data = Buffer.alloc(frame * o.frames)
  for (let f = 0; f < o.frames; f++) {
    const colour = f === 0 ? [220, 30, 30] : [30, (f * 60) % 256, 200]
    for (let p = 0; p < o.width * o.height; p++) data.set([colour[0]!, colour[1]!, colour[2]!, 255], f * frame + p * 4)
  }
  const image = sharp(data, { raw: { width: o.width, height: o.height * o.frames, channels: 4, pageHeight: o.height } })
  const delay = Array.from({ length: o.frames }, () => o.delayMs ?? 100)
  return format === 'gif' ? image.gif({ delay, loop: 0 }).toBuffer() : image.webp({ delay, loop: 0, quality: 80 }).toBuffer()
}

/** A PNG whose header declares `width × height` with no pixel data behind it: a decompression bomb's header. */
export function pngHeaderBomb(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(body.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0)
    return Buffer.concat([head, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(0)), chunk('IEND', Buffer.alloc(0))])
}

export interface VideoOptions {
  format: 'mp4' | 'mov' | 'webm'
  width: number
  height: number
  seconds: number
  /** ISO 8601, written as the container's creation_time. */
  creationTime?: string
  /** ISO 6709 (`+48.8584+002.2945/`), written as the `location` tag (MP4/MOV). */
  location?: string
  /** Display rotation in degrees counter-clockwise as ffmpeg's `rotate` tag takes it (MP4/MOV). */
  rotate?: number
  /** `testsrc` (ffmpeg's test card) or the four-colour quadrants picture. */
  pattern?: 'testsrc' | 'quadrants'
  audio?: boolean
  /** Sample (pixel) aspect ratio, e.g. `2:1` for anamorphic video shown twice as wide as it is stored. */
  sampleAspect?: string
}

/** A real video made by ffmpeg; written to `path`. */
export async function makeVideo(path: string, o: VideoOptions): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'everlock-video-'))
  try {
    const input: string[] = []
    if (o.pattern === 'quadrants') {
      const still = join(work, 'still.png')
      await writeFile(still, await (await displayed(o.width, o.height, 'quadrants')).png().toBuffer())
      input.push('-loop', '1', '-framerate', '10', '-t', String(o.seconds), '-i', still)
    } else {
      input.push('-f', 'lavfi', '-i', `testsrc=size=${o.width}x${o.height}:rate=10:duration=${o.seconds}`)
    }
    if (o.audio) input.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${o.seconds}`)
    const codec = o.format === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8', ...(o.audio ? ['-c:a', 'libopus'] : [])]
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(o.audio ? ['-c:a', 'aac'] : [])]
    const meta: string[] = []
    if (o.creationTime) meta.push('-metadata', `creation_time=${o.creationTime}`)
    if (o.location) meta.push('-metadata', `location=${o.location}`)
    const encoded = o.rotate ? join(work, `encoded.${o.format}`) : path
    const filter = o.sampleAspect ? ['-vf', `setsar=${o.sampleAspect.replace(':', '/')}`] : []
    await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...input, ...filter, ...codec, '-t', String(o.seconds), ...meta, '-f', o.format === 'mp4' ? 'mp4' : o.format === 'mov' ? 'mov' : 'webm', encoded])
    // ffmpeg 5 writes a display matrix only when stream-copying.
    if (o.rotate) await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', encoded, '-c', 'copy', '-map_metadata', '0', '-metadata:s:v:0', `rotate=${o.rotate}`, path])
    return path
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Writes `bytes` as `name` under `dir`; returns the path. */
export async function writeFixture(dir: string, name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

/** The RGB colour at (x, y) of an encoded image (any format sharp reads). */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const i = (y * info.width + x) * info.channels
  return [data[i]!, data[i + 1]!, data[i + 2]!]
}

/** Which quadrant colour an RGB value is nearest to (asymmetric test pictures, after lossy encoding). */
export function nearestQuadrant(rgb: readonly number[]): Quadrant {
  let best: Quadrant = 'topLeft'
  let bestDistance = Infinity
  for (const [name, c] of Object.entries(QUADRANT_COLOURS) as [Quadrant, readonly number[]][]) {
    const d = c.reduce((sum, v, i) => sum + (v - rgb[i]!) ** 2, 0)
    if (d < bestDistance) { bestDistance = d; best = name }
  }
  return best
}
