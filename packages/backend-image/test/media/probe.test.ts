import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeMedia } from '../../src/media/index.js'
import { makeAnimated, makeImage, makeJpeg, makeVideo, writeFixture } from './fixtures.js'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'everlock-probe-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

const PARIS = { latitude: 48.858222, longitude: 2.2945, altitude: 35.5 }

describe('probeMedia: photos', () => {
  it('reads a JPEG: orientation 6 swaps the displayed size; date with offset, camera, exposure, GPS', async () => {
    const path = await writeFixture(dir, 'portrait.bin', await makeJpeg({
      width: 300, height: 400, orientation: 6, gps: PARIS, takenAt: '2024-05-01T10:11:12', offset: '+02:00',
      camera: { make: 'Acme', model: 'X100', lens: 'Acme 35mm F2' },
      exposure: { exposureTime: '1/250', fNumber: '28/10', iso: 200, focalLength: '35/1' },
    }))
    const info = await probeMedia(path)
    expect(info).toMatchObject({
      kind: 'image', format: 'jpeg', mime: 'image/jpeg', width: 300, height: 400, orientation: 6,
      takenAt: '2024-05-01T10:11:12+02:00',
      camera: { make: 'Acme', model: 'X100', lens: 'Acme 35mm F2' },
      exposure: { exposureTime: 0.004, fNumber: 2.8, iso: 200, focalLength: 35 },
    })
    expect(info.gps?.latitude).toBeCloseTo(PARIS.latitude, 5)
    expect(info.gps?.longitude).toBeCloseTo(PARIS.longitude, 5)
    expect(info.gps?.altitude).toBeCloseTo(PARIS.altitude, 2)
  })

  it('keeps a date without offset as local time, and southern/western GPS negative', async () => {
    const path = await writeFixture(dir, 'south.jpg', await makeJpeg({ width: 64, height: 48, takenAt: '2023-12-31T23:59:58', gps: { latitude: -33.8568, longitude: -70.6483 } }))
    const info = await probeMedia(path)
    expect(info.takenAt).toBe('2023-12-31T23:59:58')
    expect(info.gps?.latitude).toBeCloseTo(-33.8568, 4)
    expect(info.gps?.longitude).toBeCloseTo(-70.6483, 4)
    expect(info.orientation ?? 1).toBe(1)
    expect([info.width, info.height]).toEqual([64, 48])
  })

  it('a JPEG without EXIF has no date, camera or GPS', async () => {
    const path = await writeFixture(dir, 'plain.jpg', await makeJpeg({ width: 40, height: 30 }))
    const info = await probeMedia(path)
    expect(info.takenAt).toBeUndefined()
    expect(info.gps).toBeUndefined()
    expect(info.camera).toBeUndefined()
  })

  it.each([
    ['png', 'image/png', true], ['webp', 'image/webp', true],
    // sharp writes no EXIF IFD into TIFF (only the orientation tag), so there is no date or GPS to find.
    ['tiff', 'image/tiff', false],
  ] as const)('detects %s by content (misleading name), with EXIF orientation (and date, GPS)', async (format, mime, exif) => {
    const path = await writeFixture(dir, `${format}-named.jpg`, await makeImage(format, { width: 120, height: 80, orientation: 8, takenAt: '2022-02-02T02:02:02', gps: PARIS }))
    const info = await probeMedia(path)
    expect(info).toMatchObject({ kind: 'image', format, mime, width: 120, height: 80, orientation: 8 })
    if (exif) {
      expect(info.takenAt).toBe('2022-02-02T02:02:02')
      expect(info.gps?.latitude).toBeCloseTo(PARIS.latitude, 5)
    }
  })

  it('detects AVIF and (AV1-coded) HEIF apart by their brands, with EXIF from the container', async () => {
    const avif = await probeMedia(await writeFixture(dir, 'a.avif', await makeImage('avif', { width: 96, height: 64, takenAt: '2021-01-01T00:00:01', gps: PARIS })))
    expect(avif).toMatchObject({ kind: 'image', format: 'avif', mime: 'image/avif', width: 96, height: 64, takenAt: '2021-01-01T00:00:01' })
    expect(avif.gps?.longitude).toBeCloseTo(PARIS.longitude, 5)
    const heif = await probeMedia(await writeFixture(dir, 'a.heif', await makeImage('heif', { width: 96, height: 64 })))
    expect(heif).toMatchObject({ kind: 'image', format: 'heif', mime: 'image/heif', width: 96, height: 64 })
  })

  it.each(['gif', 'webp'] as const)('an animated %s: frames, duration, size of one frame', async (format) => {
    const path = await writeFixture(dir, `anim.${format}`, await makeAnimated(format, { width: 50, height: 40, frames: 3, delayMs: 200 }))
    const info = await probeMedia(path)
    expect(info).toMatchObject({ kind: 'image', format, width: 50, height: 40, animated: true, frames: 3 })
    expect(info.durationSeconds).toBeCloseTo(0.6, 5)
  })
})

describe('probeMedia: videos (ffprobe)', () => {
  it('MP4 with creation_time and location', async () => {
    const path = await makeVideo(join(dir, 'clip.mp4'), { format: 'mp4', width: 320, height: 240, seconds: 2, creationTime: '2024-05-01T10:11:12Z', location: '+48.8584+002.2945/', audio: true })
    const info = await probeMedia(path)
    expect(info).toMatchObject({ kind: 'video', format: 'mp4', mime: 'video/mp4', width: 320, height: 240, videoCodec: 'h264', audioCodec: 'aac', takenAt: '2024-05-01T10:11:12.000Z' })
    expect(info.durationSeconds).toBeGreaterThan(1.8)
    expect(info.durationSeconds).toBeLessThan(2.3)
    expect(info.gps).toEqual({ latitude: 48.8584, longitude: 2.2945 })
    expect(info.rotation).toBeUndefined()
  })

  it('MOV rotated by its display matrix reports the displayed (swapped) size', async () => {
    const path = await makeVideo(join(dir, 'clip.mov'), { format: 'mov', width: 320, height: 240, seconds: 1, creationTime: '2020-06-07T08:09:10Z', rotate: 90 })
    const info = await probeMedia(path)
    expect(info).toMatchObject({ kind: 'video', format: 'mov', mime: 'video/quicktime', width: 240, height: 320, takenAt: '2020-06-07T08:09:10.000Z' })
    expect([90, 270]).toContain(info.rotation)
  })

  it('WebM (VP9)', async () => {
    const path = await makeVideo(join(dir, 'clip.webm'), { format: 'webm', width: 160, height: 120, seconds: 1, creationTime: '2019-01-02T03:04:05Z' })
    const info = await probeMedia(path)
    expect(info).toMatchObject({ kind: 'video', format: 'webm', mime: 'video/webm', width: 160, height: 120, videoCodec: 'vp9', takenAt: '2019-01-02T03:04:05.000Z' })
  })
})
