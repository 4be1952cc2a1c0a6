import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commitsOf, getJson, startLibrary, uploadMultipart, uploadRaw, waitDerived, type TestLibrary } from './helpers/library.js'
import { jpeg, mp4, png } from './helpers/media.js'

let lib: TestLibrary
beforeAll(async () => {
  lib = await startLibrary()
})
afterAll(() => lib.close())

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('uploads', () => {
  it('stores a raw upload as one commit by the uploader, with the record of what the file says about itself', async () => {
    const bytes = await jpeg({ seed: 11, width: 400, height: 300, taken: '2021:06:05 10:11:12', gps: true })
    const before = (await commitsOf(lib.store)).length
    const { status, body } = await uploadRaw(lib.url, bytes, 'Tag am Meer.jpg')
    expect(status).toBe(201)
    expect(body).toMatchObject({
      id: hex(bytes),
      digest: `sha256:${hex(bytes)}`,
      size: bytes.length,
      filename: 'Tag am Meer.jpg',
      kind: 'image',
      format: 'jpeg',
      mime: 'image/jpeg',
      width: 400,
      height: 300,
      takenAtSource: 'metadata',
      uploadedBy: 'anonymous',
      camera: { make: 'Everlock', model: 'TestCam' },
      tags: [],
      jobs: { caption: { state: 'unavailable' } },
    })
    expect(body.takenAt).toMatch(/^2021-06-05T10:11:12/)
    expect(body.gps.latitude).toBeCloseTo(52.52, 2)
    expect(body.gps.longitude).toBeCloseTo(13.41, 2)
    const commits = await commitsOf(lib.store)
    expect(commits.length).toBe(before + 1)
    expect(commits[0]!.author).toBe('anonymous')
    expect([...commits[0]!.paths].sort()).toEqual([`assets/${hex(bytes)}.json`, `originals/${hex(bytes)}`])

    const derived = await waitDerived(lib.url, body.id)
    expect(derived.jobs.derive.state).toBe('done')
    expect(derived.placeholder).toEqual(expect.any(String))
    expect(derived.derivatives.map((d: any) => `${d.name}.${d.format}`).sort()).toEqual(['preview.jpeg', 'thumbnail.webp'])
    expect(derived.derivatives.find((d: any) => d.name === 'thumbnail')).toMatchObject({ width: 250, height: 188 })
    const last = (await commitsOf(lib.store))[0]!
    expect(last.author).toBe('job:derive')
    expect(last.paths).toContain(`derived/${body.id}/thumbnail.webp`)
  })

  it('answers the existing item with 200 for the same bytes again, changing nothing', async () => {
    const bytes = await jpeg({ seed: 12 })
    const first = await uploadRaw(lib.url, bytes, 'a.jpg')
    expect(first.status).toBe(201)
    const head = await lib.store.head()
    const again = await uploadRaw(lib.url, bytes, 'other-name.jpg')
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)
    expect(again.body.filename).toBe('a.jpg')
    await waitDerived(lib.url, first.body.id)
    const commits = await commitsOf(lib.store)
    expect(commits.filter((c) => c.author === 'anonymous' && c.paths.includes(`assets/${first.body.id}.json`))).toHaveLength(1)
    expect((await lib.store.head())!.seq).toBeGreaterThanOrEqual(head!.seq)
  })

  it('takes several files as multipart/form-data in one commit, reporting each (created, duplicate, refused)', async () => {
    const a = await jpeg({ seed: 21 })
    const b = await png(80, 60, 22)
    const known = await jpeg({ seed: 12 }) // uploaded by the previous test
    const before = (await commitsOf(lib.store)).filter((c) => c.author === 'anonymous').length
    const { status, body } = await uploadMultipart(lib.url, [
      { name: 'one.jpg', bytes: a, type: 'image/jpeg' },
      { name: 'two.png', bytes: b, type: 'image/png' },
      { name: 'again.jpg', bytes: known },
      { name: 'notes.txt', bytes: Buffer.from('hello, not an image\n'), type: 'text/plain' },
      { name: 'one-copy.jpg', bytes: a },
    ])
    expect(status).toBe(207)
    expect(body.items.map((i: any) => [i.filename, i.status])).toEqual([
      ['one.jpg', 201],
      ['two.png', 201],
      ['again.jpg', 200],
      ['notes.txt', 415],
      ['one-copy.jpg', 200],
    ])
    expect(body.items[3].error.code).toBe('MEDIA_UNSUPPORTED')
    expect(body.items[1].asset).toMatchObject({ format: 'png', width: 80, height: 60, takenAtSource: 'upload' })
    const uploads = (await commitsOf(lib.store)).filter((c) => c.author === 'anonymous')
    expect(uploads.length).toBe(before + 1)
    expect(uploads[0]!.paths).toHaveLength(4)
    // the refused file's bytes were not kept
    expect(await lib.store.statBlob(`sha256:${hex(Buffer.from('hello, not an image\n'))}`)).toBeUndefined()
  })

  it('reads the filename from Content-Disposition too', async () => {
    const bytes = await jpeg({ seed: 31 })
    const res = await fetch(`${lib.url}/api/assets`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'image/jpeg', 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('Straße ☀.jpg')}` } })
    expect(res.status).toBe(201)
    expect(((await res.json()) as any).filename).toBe('Straße ☀.jpg')
  })

  it('takes a video (ffprobe) and derives a poster, thumbnail and preview from a frame', async () => {
    const bytes = await mp4(1)
    const { status, body } = await uploadRaw(lib.url, bytes, 'clip.mp4', { 'Content-Type': 'video/mp4' })
    expect(status).toBe(201)
    expect(body).toMatchObject({ kind: 'video', format: 'mp4', mime: 'video/mp4', width: 320, height: 240 })
    expect(body.durationSeconds).toBeGreaterThan(0.5)
    const derived = await waitDerived(lib.url, body.id)
    expect(derived.derivatives.map((d: any) => d.name).sort()).toEqual(['poster', 'preview', 'thumbnail'])
    const poster = await fetch(`${lib.url}/api/assets/${body.id}/poster`)
    expect(poster.status).toBe(200)
    expect(poster.headers.get('content-type')).toBe('image/jpeg')
  })

  it('the same bytes uploaded at once by many clients make one item and one commit', async () => {
    const bytes = await jpeg({ seed: 41 })
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => uploadRaw(lib.url, bytes, `race-${i}.jpg`)))
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201])
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
    const commits = (await commitsOf(lib.store)).filter((c) => c.author === 'anonymous' && c.paths.includes(`assets/${hex(bytes)}.json`))
    expect(commits).toHaveLength(1)
  })

  it('different files uploaded at once all land, each listed once', async () => {
    const files = await Promise.all(Array.from({ length: 8 }, (_, i) => jpeg({ seed: 400 + i, taken: `2015:0${1 + i}:01 00:00:00` })))
    const results = await Promise.all(files.map((b, i) => uploadRaw(lib.url, b, `parallel-${i}.jpg`)))
    expect(results.every((r) => r.status === 201)).toBe(true)
    const { body } = await getJson(`${lib.url}/api/assets?q=parallel&limit=100`)
    expect(body.items.map((i: any) => i.filename)).toEqual(files.map((_, i) => `parallel-${7 - i}.jpg`))
  })

  it('refuses more files than maxFilesPerUpload in one multipart body, committing none', async () => {
    const small = await startLibrary({ paused: true, limits: { maxFilesPerUpload: 2 } })
    try {
      const { status, body } = await uploadMultipart(small.url, await Promise.all([1, 2, 3].map((i) => png(8, 8, 500 + i)).map(async (b, i) => ({ name: `f${i}.png`, bytes: await b }))))
      expect([status, body.error.code]).toEqual([413, 'BODY_TOO_LARGE'])
      expect(await small.store.head()).toBeUndefined()
    } finally {
      await small.close()
    }
  })

  it('lists the uploads it made', async () => {
    const { body } = await getJson(`${lib.url}/api/assets?limit=100`)
    expect(body.items.length).toBeGreaterThanOrEqual(5)
  })
})
