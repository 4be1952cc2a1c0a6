import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import exifr from 'exifr'
import sharp from 'sharp'
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AVIF_SPEC, DEFAULT_DERIVATIVE_SPECS, deriveMedia, derivativeSpecsFor, probeMedia,
  type Derivative, type DerivedSet, type DerivativeName,
} from '../../src/media/index.js'
import { makeAnimated, makeImage, makeJpeg, makeVideo, nearestQuadrant, pixelAt, writeFixture, type Quadrant } from './fixtures.js'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'everlock-derive-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

const GPS = { latitude: 48.858222, longitude: 2.2945 }

function get(set: DerivedSet, name: DerivativeName): Derivative {
  const d = set.derivatives.find((x) => x.name === name)
  if (!d) throw new Error(`no ${name} derivative`)
  return d
}

/** Colours at the centres of the four quadrants of an encoded image. */
async function quadrants(bytes: Buffer): Promise<Record<Quadrant, Quadrant>> {
  const { width, height } = await sharp(bytes).metadata()
  const at = async (fx: number, fy: number) => nearestQuadrant(await pixelAt(bytes, Math.floor(width * fx), Math.floor(height * fy)))
  return { topLeft: await at(0.25, 0.25), topRight: await at(0.75, 0.25), bottomLeft: await at(0.25, 0.75), bottomRight: await at(0.75, 0.75) }
}

const UPRIGHT: Record<Quadrant, Quadrant> = { topLeft: 'topLeft', topRight: 'topRight', bottomLeft: 'bottomLeft', bottomRight: 'bottomRight' }

/** A derivative carries no metadata at all: no EXIF (so no GPS), no ICC profile, no orientation. */
async function expectStripped(d: Derivative): Promise<void> {
  const meta = await sharp(d.bytes).metadata()
  expect(meta.exif).toBeUndefined()
  expect(meta.icc).toBeUndefined()
  expect(meta.xmp).toBeUndefined()
  expect(meta.orientation ?? 1).toBe(1)
  const tags = (await exifr.parse(d.bytes, { gps: true }).catch(() => undefined)) as Record<string, unknown> | undefined
  expect(tags?.latitude).toBeUndefined()
  expect(tags?.GPSLatitude).toBeUndefined()
}

describe('deriveMedia: images', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('EXIF orientation %i: derivatives are upright, the displayed size, stripped of EXIF/GPS', async (orientation) => {
    const path = await writeFixture(dir, `o${orientation}.jpg`, await makeJpeg({ width: 320, height: 240, orientation, pattern: 'quadrants', gps: GPS, takenAt: '2024-01-01T12:00:00' }))
    const info = await probeMedia(path)
    expect([info.width, info.height]).toEqual([320, 240])
    const set = await deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS)
    const thumbnail = get(set, 'thumbnail')
    const preview = get(set, 'preview')
    expect(thumbnail).toMatchObject({ format: 'webp', mime: 'image/webp', width: 250, height: 188 })
    expect(preview).toMatchObject({ format: 'jpeg', mime: 'image/jpeg', width: 320, height: 240 }) // never upscaled
    for (const d of [thumbnail, preview]) {
      expect(await quadrants(d.bytes)).toEqual(UPRIGHT)
      await expectStripped(d)
    }
  })

  it('a real-size photo: sizes bounded by the specs, bytes bounded, placeholder decodes to the aspect ratio', async () => {
    const path = await writeFixture(dir, 'big.jpg', await makeJpeg({ width: 4000, height: 3000, gps: GPS, camera: { make: 'Acme', model: 'X100' } }))
    const info = await probeMedia(path)
    const set = await deriveMedia(path, info, derivativeSpecsFor(info, { avif: true }))
    expect(set.derivatives.map((d) => d.name)).toEqual(['thumbnail', 'preview', 'avif'])
    expect(get(set, 'thumbnail')).toMatchObject({ width: 250, height: 188 })
    expect(get(set, 'preview')).toMatchObject({ width: 1440, height: 1080 })
    expect(get(set, 'avif')).toMatchObject({ format: 'avif', mime: 'image/avif', width: 1440, height: 1080 })
    expect(get(set, 'thumbnail').bytes.length).toBeLessThan(100_000)
    expect(get(set, 'preview').bytes.length).toBeLessThan(2_000_000)
    for (const d of set.derivatives) {
      const meta = await sharp(d.bytes).metadata()
      expect(meta.format).toBe(d.format === 'avif' ? 'heif' : d.format)
      expect([meta.width, meta.height]).toEqual([d.width, d.height])
      await expectStripped(d)
    }
    const hash = Buffer.from(set.placeholder, 'base64')
    expect(hash.length).toBeGreaterThan(5)
    expect(hash.length).toBeLessThan(40)
    const decoded = thumbHashToRGBA(hash)
    expect(decoded.w).toBeGreaterThan(0)
    expect(decoded.rgba.length).toBe(decoded.w * decoded.h * 4)
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(4 / 3, 0)
  })

  it('the placeholder shows the picture: a red image averages red', async () => {
    const path = await writeFixture(dir, 'red.png', await sharp({ create: { width: 200, height: 100, channels: 3, background: '#dd2222' } }).png().toBuffer())
    const set = await deriveMedia(path, await probeMedia(path), DEFAULT_DERIVATIVE_SPECS)
    const { rgba } = thumbHashToRGBA(Buffer.from(set.placeholder, 'base64'))
    expect(rgba[0]).toBeGreaterThan(150)
    expect(rgba[1]).toBeLessThan(100)
    expect(thumbHashToApproximateAspectRatio(Buffer.from(set.placeholder, 'base64'))).toBeCloseTo(2, 0)
  })

  it.each(['png', 'webp', 'avif', 'tiff', 'heif'] as const)('%s: thumbnail and preview, upright', async (format) => {
    const orientation = format === 'avif' || format === 'heif' ? 1 : 6
    const path = await writeFixture(dir, `q.${format}`, await makeImage(format, { width: 300, height: 200, orientation, pattern: 'quadrants', gps: GPS }))
    const info = await probeMedia(path)
    const set = await deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS)
    expect(get(set, 'thumbnail')).toMatchObject({ width: 250, height: 167 })
    expect(get(set, 'preview')).toMatchObject({ width: 300, height: 200 })
    expect(await quadrants(get(set, 'preview').bytes)).toEqual(UPRIGHT)
    for (const d of set.derivatives) await expectStripped(d)
  })

  it('a Display P3 photo comes out as sRGB colours with no ICC profile attached', async () => {
    const colour = { r: 200, g: 100, b: 50 }
    const p3 = await sharp({ create: { width: 64, height: 64, channels: 3, background: colour } }).withIccProfile('p3').png().toBuffer()
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer()
    expect(Math.abs(stored[0]! - colour.r) + Math.abs(stored[1]! - colour.g) + Math.abs(stored[2]! - colour.b)).toBeGreaterThan(10) // P3 numbers differ
    const path = await writeFixture(dir, 'p3.png', p3)
    const set = await deriveMedia(path, await probeMedia(path), DEFAULT_DERIVATIVE_SPECS)
    for (const d of set.derivatives) {
      await expectStripped(d)
      const [r, g, b] = await pixelAt(d.bytes, 10, 10)
      expect(Math.abs(r - colour.r) + Math.abs(g - colour.g) + Math.abs(b - colour.b)).toBeLessThanOrEqual(8)
    }
  })

  it('transparency: the WebP thumbnail keeps alpha, the JPEG preview is flattened on white', async () => {
    const path = await writeFixture(dir, 'alpha.png', await sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } } }).png().toBuffer())
    const info = await probeMedia(path)
    expect(info.hasAlpha).toBe(true)
    const set = await deriveMedia(path, info, DEFAULT_DERIVATIVE_SPECS)
    expect((await sharp(get(set, 'thumbnail').bytes).metadata()).hasAlpha).toBe(true)
    expect(await pixelAt(get(set, 'preview').bytes, 50, 50)).toEqual([255, 255, 255])
  })

  it('an animated GIF gives derivatives of its first frame (a still)', async () => {
    const path = await writeFixture(dir, 'anim.gif', await makeAnimated('gif', { width: 60, height: 40, frames: 4 }))
    const set = await deriveMedia(path, await probeMedia(path), DEFAULT_DERIVATIVE_SPECS)
    const preview = get(set, 'preview')
    expect([preview.width, preview.height]).toEqual([60, 40])
    expect((await sharp(preview.bytes).metadata()).pages ?? 1).toBe(1)
    const [r, g, b] = await pixelAt(preview.bytes, 30, 20)
    expect(r).toBeGreaterThan(180)
    expect(g + b).toBeLessThan(120)
  })

  it('a poster spec is ignored for an image; derivatives come in spec order', async () => {
    const path = await writeFixture(dir, 'small.jpg', await makeJpeg({ width: 64, height: 64 }))
    const info = await probeMedia(path)
    const set = await deriveMedia(path, info, [AVIF_SPEC, ...DEFAULT_DERIVATIVE_SPECS, { name: 'poster', maxSize: 1920, format: 'jpeg' }])
    expect(set.derivatives.map((d) => d.name)).toEqual(['avif', 'thumbnail', 'preview'])
    for (const d of set.derivatives) expect([d.width, d.height]).toEqual([64, 64])
  })
})

/** Where a quadrant of the picture lands after rotating it `cw` degrees clockwise. */
function rotated(cw: number): Record<Quadrant, Quadrant> {
  const order: Quadrant[] = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] // clockwise
  const out = {} as Record<Quadrant, Quadrant>
  for (const [i, q] of order.entries()) out[order[(i + cw / 90) % 4]!] = q
  return out
}

describe('deriveMedia: videos (poster frame through ffmpeg)', () => {
  it('an MP4: poster + thumbnail + preview from one frame', async () => {
    const path = await makeVideo(join(dir, 'v.mp4'), { format: 'mp4', width: 320, height: 240, seconds: 2, pattern: 'quadrants', creationTime: '2024-05-01T10:11:12Z', location: '+48.8584+002.2945/' })
    const info = await probeMedia(path)
    const set = await deriveMedia(path, info, derivativeSpecsFor(info))
    expect(set.derivatives.map((d) => d.name)).toEqual(['thumbnail', 'preview', 'poster'])
    expect(get(set, 'poster')).toMatchObject({ format: 'jpeg', width: 320, height: 240 })
    expect(get(set, 'thumbnail')).toMatchObject({ format: 'webp', width: 250, height: 188 })
    for (const d of set.derivatives) {
      expect(await quadrants(d.bytes)).toEqual(UPRIGHT)
      await expectStripped(d)
    }
    expect(thumbHashToRGBA(Buffer.from(set.placeholder, 'base64')).w).toBeGreaterThan(0)
  })

  it('a rotated MOV: the poster is turned as the display matrix says', async () => {
    const path = await makeVideo(join(dir, 'v.mov'), { format: 'mov', width: 320, height: 240, seconds: 1, pattern: 'quadrants', rotate: 90 })
    const info = await probeMedia(path)
    expect(info.rotation).toBeDefined()
    const set = await deriveMedia(path, info, derivativeSpecsFor(info))
    expect(get(set, 'poster')).toMatchObject({ width: 240, height: 320 })
    expect(await quadrants(get(set, 'poster').bytes)).toEqual(rotated(info.rotation!))
  })

  it('an anamorphic MP4 (pixels twice as wide as tall) is shown, and postered, at its display aspect', async () => {
    const path = await makeVideo(join(dir, 'wide.mp4'), { format: 'mp4', width: 160, height: 120, seconds: 1, pattern: 'quadrants', sampleAspect: '2:1' })
    const info = await probeMedia(path)
    expect([info.width, info.height]).toEqual([320, 120])
    const set = await deriveMedia(path, info, derivativeSpecsFor(info))
    expect(get(set, 'poster')).toMatchObject({ width: 320, height: 120 })
    expect(await quadrants(get(set, 'poster').bytes)).toEqual(UPRIGHT)
  })

  it('a WebM, and a poster never larger than the video (a 1 s clip: 10 % in)', async () => {
    const path = await makeVideo(join(dir, 'v.webm'), { format: 'webm', width: 160, height: 120, seconds: 1 })
    const info = await probeMedia(path)
    const set = await deriveMedia(path, info, derivativeSpecsFor(info))
    expect(set.derivatives.map((d) => d.name)).toEqual(['thumbnail', 'preview', 'poster'])
    for (const d of set.derivatives) expect([d.width, d.height]).toEqual([160, 120])
  })
})
