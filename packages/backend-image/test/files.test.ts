import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, startLibrary, uploadRaw, waitDerived, type TestLibrary } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

let lib: TestLibrary
let id: string
let bytes: Buffer

beforeAll(async () => {
  lib = await startLibrary({ avif: true })
  bytes = await jpeg({ seed: 5, width: 2000, height: 1000, taken: '2020:02:02 02:02:02', gps: true })
  id = (await uploadRaw(lib.url, bytes, 'wide "photo".jpg')).body.id
  await waitDerived(lib.url, id)
})
afterAll(() => lib.close())

const original = () => `${lib.url}/api/assets/${id}/original`

describe('the original', () => {
  it('is served whole with its type, a strong ETag, the name and the security headers', async () => {
    const res = await fetch(original())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(res.headers.get('etag')).toBe(`"sha256:${id}"`)
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="wide _photo_.jpg"; filename*=UTF-8''${encodeURIComponent('wide "photo".jpg')}`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
    const download = await fetch(`${original()}?download=1`)
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/)
    await download.arrayBuffer()
  })

  it('answers 304 to If-None-Match, 206 to a Range, 416 outside it; HEAD has no body', async () => {
    const etag = `"sha256:${id}"`
    const cached = await fetch(original(), { headers: { 'If-None-Match': etag } })
    expect(cached.status).toBe(304)
    const part = await fetch(original(), { headers: { Range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
    const suffix = await fetch(original(), { headers: { Range: 'bytes=-5' } })
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true)
    const stale = await fetch(original(), { headers: { Range: 'bytes=0-0', 'If-Range': '"sha256:other"' } })
    expect(stale.status).toBe(200)
    await stale.arrayBuffer()
    const outside = await fetch(original(), { headers: { Range: `bytes=${bytes.length}-` } })
    expect(outside.status).toBe(416)
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
    expect(((await outside.json()) as any).error.code).toBe('RANGE_NOT_SATISFIABLE')
    const head = await fetch(original(), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(bytes.length))
  })
})

describe('thumbnail and preview', () => {
  it('negotiate the format from Accept among the derivatives that exist; ?format= overrides', async () => {
    const thumb = await fetch(`${lib.url}/api/assets/${id}/thumbnail`, { headers: { Accept: 'image/avif,image/webp,*/*;q=0.8' } })
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    expect(thumb.headers.get('vary')).toBe('Accept')
    await thumb.arrayBuffer()
    const avif = await fetch(`${lib.url}/api/assets/${id}/preview`, { headers: { Accept: 'image/avif,image/webp,*/*;q=0.8' } })
    expect(avif.headers.get('content-type')).toBe('image/avif')
    await avif.arrayBuffer()
    const jpegOnly = await fetch(`${lib.url}/api/assets/${id}/preview`, { headers: { Accept: 'image/jpeg' } })
    expect(jpegOnly.headers.get('content-type')).toBe('image/jpeg')
    const sharp = (await import('sharp')).default
    const meta = await sharp(Buffer.from(await jpegOnly.arrayBuffer())).metadata()
    expect([meta.width, meta.height]).toEqual([1440, 720])
    expect(meta.exif).toBeUndefined() // EXIF and GPS stripped from derivatives
    const forced = await fetch(`${lib.url}/api/assets/${id}/preview?format=jpeg`, { headers: { Accept: 'image/avif' } })
    expect(forced.headers.get('content-type')).toBe('image/jpeg')
    await forced.arrayBuffer()
    const missing = await getJson(`${lib.url}/api/assets/${id}/thumbnail?format=avif`)
    expect([missing.status, missing.body.error.code]).toEqual([404, 'FORMAT_UNAVAILABLE'])
    const refused = await getJson(`${lib.url}/api/assets/${id}/thumbnail`, { Accept: 'image/png' })
    expect([refused.status, refused.body.error.code]).toEqual([406, 'NOT_ACCEPTABLE'])
    const badFormat = await getJson(`${lib.url}/api/assets/${id}/thumbnail?format=gif`)
    expect(badFormat.status).toBe(400)
  })

  it('answer 404 with the job state while not derived yet', async () => {
    const paused = await startLibrary({ paused: true })
    try {
      const up = await uploadRaw(paused.url, await jpeg({ seed: 6 }), 'later.jpg')
      const { status, body } = await getJson(`${paused.url}/api/assets/${up.body.id}/thumbnail`)
      expect(status).toBe(404)
      expect(body.error.code).toBe('DERIVATIVE_PENDING')
      expect(body.job.state).toBe('queued')
      paused.jobs.start()
      const done = await waitDerived(paused.url, up.body.id)
      expect(done.urls.thumbnail).toBe(`/api/assets/${up.body.id}/thumbnail`)
      expect((await fetch(`${paused.url}${done.urls.thumbnail}`)).status).toBe(200)
    } finally {
      await paused.close()
    }
  })
})

describe('the record', () => {
  it('has type, size, dimensions, date, camera, lens, exposure, GPS, orientation, derivatives and job state', async () => {
    const { status, body } = await getJson(`${lib.url}/api/assets/${id}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ kind: 'image', mime: 'image/jpeg', size: bytes.length, width: 2000, height: 1000, camera: { make: 'Everlock', model: 'TestCam' } })
    expect(body.takenAt).toMatch(/^2020-02-02T02:02:02/)
    expect(body.gps.latitude).toBeCloseTo(52.52, 2)
    expect(body.exposure).toBeDefined()
    expect(body.jobs.derive.state).toBe('done')
    expect(body.derivatives.map((d: any) => `${d.name}.${d.format}`).sort()).toEqual(['avif.avif', 'preview.jpeg', 'thumbnail.webp'])
    const unknown = await getJson(`${lib.url}/api/assets/${'0'.repeat(64)}`)
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ASSET_NOT_FOUND'])
    const notAnId = await getJson(`${lib.url}/api/assets/..%2f..%2fetc`)
    expect([notAnId.status, notAnId.body.error.code]).toEqual([404, 'NOT_FOUND'])
  })
})
