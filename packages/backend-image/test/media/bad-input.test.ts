import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_DERIVATIVE_SPECS, MediaError, deriveMedia, probeMedia, type MediaErrorCode, type MediaInfo } from '../../src/media/index.js'
import { makeAnimated, makeImage, makeJpeg, makeVideo, pngHeaderBomb, writeFixture } from './fixtures.js'
import { makeHevcHeic } from './heic.js'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'everlock-bad-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function codeOf(promise: Promise<unknown>): Promise<MediaErrorCode> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(MediaError)
    return (error as MediaError).code
  }
  throw new Error('expected a MediaError, got a result')
}

const cut = (bytes: Buffer, fraction: number): Buffer => bytes.subarray(0, Math.floor(bytes.length * fraction))

describe('probeMedia refuses what is not a photo or video (MEDIA_UNSUPPORTED)', () => {
  it.each([
    ['image.svg', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'],
    ['bare.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['page.jpg', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'],
    ['doc.pdf', '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'],
    ['notes.mp4', 'this is not a video, just some text that happens to be named .mp4\n'],
    ['empty.jpg', ''],
    ['canon-raw.cr3', Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypcrx \0\0\0\0', 'latin1'), Buffer.alloc(64)])],
  ])('%s', async (name, content) => {
    const path = await writeFixture(dir, name, content)
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_UNSUPPORTED')
  })

  it('an MP4 with no video stream (audio only)', async () => {
    const path = join(dir, 'audio.mp4')
    await makeVideo(join(dir, 'tmp-av.mp4'), { format: 'mp4', width: 64, height: 64, seconds: 1, audio: true })
    const { execFile } = await import('node:child_process')
    await new Promise<void>((resolve, reject) => execFile('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(dir, 'tmp-av.mp4'), '-vn', '-c', 'copy', path], (e) => (e ? reject(e) : resolve())))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_UNSUPPORTED')
  })

  it('an HEVC-coded HEIC (a phone photo; the prebuilt sharp has no HEVC decoder) is refused by name, not as corrupt', async () => {
    const path = await writeFixture(dir, 'phone.heic', await makeHevcHeic(64, 48))
    expect((await sharp(path).metadata()).compression).toBe('hevc') // a well-formed HEIC: its header reads
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_UNSUPPORTED')
  })
})

describe('probeMedia: a supported signature that does not decode (MEDIA_CORRUPT)', () => {
  it.each(['jpeg', 'png', 'webp', 'avif', 'tiff'] as const)('truncated %s', async (format) => {
    const bytes = await makeImage(format, { width: 200, height: 150 })
    const path = await writeFixture(dir, `cut.${format}`, cut(bytes, 0.6))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it('truncated progressive JPEG (many scans)', async () => {
    const bytes = await sharp(await makeJpeg({ width: 300, height: 200 })).jpeg({ progressive: true }).toBuffer()
    const path = await writeFixture(dir, 'cut-progressive.jpg', cut(bytes, 0.8))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it('truncated animated GIF', async () => {
    const bytes = await makeAnimated('gif', { width: 80, height: 80, frames: 3 })
    const path = await writeFixture(dir, 'cut.gif', cut(bytes, 0.3))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it('a JPEG signature followed by garbage', async () => {
    const path = await writeFixture(dir, 'garbage.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)]))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it.each([['moov last', []], ['faststart', ['-movflags', '+faststart']]] as const)('truncated MP4 (%s)', async (_name, flags) => {
    const whole = join(dir, `whole-${flags.length}.mp4`)
    await makeVideo(whole, { format: 'mp4', width: 160, height: 120, seconds: 2 })
    let bytes = await readFile(whole)
    if (flags.length) {
      const { execFile } = await import('node:child_process')
      const fast = join(dir, 'fast.mp4')
      await new Promise<void>((resolve, reject) => execFile('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', whole, '-c', 'copy', ...flags, fast], (e) => (e ? reject(e) : resolve())))
      bytes = await readFile(fast)
    }
    const path = await writeFixture(dir, `cut-${flags.length}.mp4`, cut(bytes, 0.5))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it('truncated WebM', async () => {
    const whole = await makeVideo(join(dir, 'whole.webm'), { format: 'webm', width: 160, height: 120, seconds: 2 })
    const bytes = await readFile(whole)
    expect((await probeMedia(whole)).format).toBe('webm')
    const path = await writeFixture(dir, 'cut.webm', cut(bytes, 0.7))
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_CORRUPT')
  })

  it('stray bytes between JPEG segments (libjpeg skips them with a warning) are fine', async () => {
    const jpeg = await makeJpeg({ width: 64, height: 48 })
    const at = 2 + 2 + jpeg.readUInt16BE(4) // after SOI and the first segment
    const bytes = Buffer.concat([jpeg.subarray(0, at), Buffer.from([0, 0, 0]), jpeg.subarray(at)])
    const path = await writeFixture(dir, 'stray.jpg', bytes)
    const info = await probeMedia(path)
    expect([info.width, info.height]).toEqual([64, 48])
    expect((await deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS)).derivatives).toHaveLength(2)
  })

  it('data after a JPEG\'s end (a phone\'s motion-photo trailer) is fine', async () => {
    const bytes = Buffer.concat([await makeJpeg({ width: 100, height: 80 }), Buffer.from('ftypmp42'), Buffer.alloc(100_000, 7)])
    const info = await probeMedia(await writeFixture(dir, 'motion.jpg', bytes))
    expect([info.format, info.width, info.height]).toEqual(['jpeg', 100, 80])
  })
})

describe('decompression bombs (MEDIA_TOO_LARGE, from the header, before decoding)', () => {
  it('a tiny PNG declaring 100 000 × 100 000 pixels', async () => {
    const bytes = pngHeaderBomb(100_000, 100_000)
    expect(bytes.length).toBeLessThan(100)
    const path = await writeFixture(dir, 'bomb.png', bytes)
    expect(await codeOf(probeMedia(path))).toBe('MEDIA_TOO_LARGE')
  })

  it('a large solid PNG over a configured limit (probe and derive both refuse it)', async () => {
    const bytes = await sharp({ create: { width: 6000, height: 5000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer()
    expect(bytes.length).toBeLessThan(1_000_000) // 30 Mpx in a small file
    const path = await writeFixture(dir, 'solid.png', bytes)
    expect(await codeOf(probeMedia(path, { maxPixels: 20_000_000 }))).toBe('MEDIA_TOO_LARGE')
    const info: MediaInfo = { kind: 'image', format: 'png', mime: 'image/png', width: 6000, height: 5000 }
    expect(await codeOf(deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS, { maxPixels: 20_000_000 }))).toBe('MEDIA_TOO_LARGE')
    expect((await probeMedia(path)).width).toBe(6000) // under the default limit it is a fine image
  })

  it('a video over the pixel limit', async () => {
    const path = await makeVideo(join(dir, 'wide.webm'), { format: 'webm', width: 640, height: 480, seconds: 1 })
    expect(await codeOf(probeMedia(path, { maxPixels: 100_000 }))).toBe('MEDIA_TOO_LARGE')
  })
})

describe('deriveMedia on a file that cannot be decoded (the job fails with a reason, nothing crashes)', () => {
  it('a truncated JPEG given straight to deriveMedia', async () => {
    const whole = await makeJpeg({ width: 400, height: 300 })
    const info = await probeMedia(await writeFixture(dir, 'whole.jpg', whole))
    const path = await writeFixture(dir, 'cut-derive.jpg', cut(whole, 0.5))
    expect(await codeOf(deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS))).toBe('MEDIA_CORRUPT')
  })

  it('a video whose bytes were replaced after probing', async () => {
    const path = await makeVideo(join(dir, 'swap.mp4'), { format: 'mp4', width: 64, height: 64, seconds: 1 })
    const info = await probeMedia(path)
    await writeFixture(dir, 'swap.mp4', 'no longer a video')
    expect(await codeOf(deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS))).toBe('MEDIA_CORRUPT')
  })
})

describe('tools', () => {
  it('a missing ffprobe / ffmpeg is MEDIA_TOOL_FAILED', async () => {
    const path = await makeVideo(join(dir, 'tool.mp4'), { format: 'mp4', width: 64, height: 64, seconds: 1 })
    expect(await codeOf(probeMedia(path, { ffprobePath: join(dir, 'no-such-ffprobe') }))).toBe('MEDIA_TOOL_FAILED')
    const info = await probeMedia(path)
    expect(await codeOf(deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS, { ffmpegPath: join(dir, 'no-such-ffmpeg') }))).toBe('MEDIA_TOOL_FAILED')
  })

  it('a spec that is not one is a TypeError (a programmer error, not a media error)', async () => {
    const path = await writeFixture(dir, 'spec.jpg', await makeJpeg({ width: 10, height: 10 }))
    const info = await probeMedia(path)
    await expect(deriveMedia(path, info, [{ name: 'thumbnail', maxSize: 0, format: 'webp' }])).rejects.toBeInstanceOf(TypeError)
  })
})
