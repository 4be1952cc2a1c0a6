import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { makeVideo } from '../media/fixtures.js'

/**
 * Small seeded JPEGs (the same seed, the same bytes: dedupe tests need that; `test/media/fixtures.ts` makes the
 * photo-like ones). A JPEG the test makes, with EXIF (camera, date taken, GPS) when asked. `seed` makes distinct bytes. */
export async function jpeg(opts: { width?: number; height?: number; seed?: number; taken?: string; gps?: boolean; orientation?: number } = {}): Promise<Buffer> {
  const seed = opts.seed ?? 1
  const exif: Record<string, Record<string, string>> = { IFD0: { Make: 'Everlock', Model: 'TestCam' } }
  if (opts.taken) exif.IFD2 = { DateTimeOriginal: opts.taken, LensModel: 'Test 35mm', ExposureTime: '1/250', FNumber: '28/10', ISOSpeedRatings: '200' }
  if (opts.gps) exif.IFD3 = { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 12/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 36/1' }
  let img = sharp({ create: { width: opts.width ?? 320, height: opts.height ?? 240, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 53) % 256 } } }).jpeg({ quality: 90 })
  img = img.withExif(exif as never)
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation })
  return img.toBuffer()
}

export async function png(width = 64, height = 48, seed = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: seed % 256, g: 10, b: 200, alpha: 0.5 } } }).png().toBuffer()
}

/** A short MP4 (H.264), made by the media layer's fixture generator. */
export async function mp4(seconds = 1): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-video-'))
  try {
    return await readFile(await makeVideo(join(dir, 'clip.mp4'), { format: 'mp4', width: 320, height: 240, seconds }))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
