import { execFile } from 'node:child_process'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'

/** A JPEG the test makes, with EXIF (camera, date taken, GPS) when asked. `seed` makes distinct bytes. */
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

const run = promisify(execFile)

/** A short MP4 (H.264) made by ffmpeg's test source. */
export async function mp4(seconds = 1): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-video-'))
  try {
    const out = join(dir, 'clip.mp4')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=10:duration=${seconds}`, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', out])
    return await readFile(out)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
