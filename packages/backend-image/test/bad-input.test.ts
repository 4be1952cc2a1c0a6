import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { commitsOf, startLibrary, uploadMultipart, type TestLibrary } from './helpers/library.js'
import { jpeg, png } from './helpers/media.js'

let lib: TestLibrary
beforeAll(async () => {
  lib = await startLibrary({ paused: true, limits: { maxUploadBytes: 512 * 1024, maxPixels: 4_000_000 } })
})
afterAll(() => lib.close())

const jpegHead = jpeg({ seed: 53 }).then((b) => b.subarray(0, 200))

/** What must stay the same after a refused upload: the commit log and the blobs held. */
async function snapshot() {
  const report = await lib.store.verify({ rehash: false })
  return { commits: (await commitsOf(lib.store)).length, blobs: report.blobsChecked }
}

async function post(body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${lib.url}/api/assets`, { method: 'POST', body, headers })
  return { status: res.status, body: ((await res.json()) as any) as any, headers: res.headers }
}

describe('bad input gets a clear JSON error and changes nothing', () => {
  const cases: Array<[string, () => Promise<{ body: Buffer | string; headers: Record<string, string> }>, number, string]> = [
    ['zero bytes', async () => ({ body: Buffer.alloc(0), headers: { 'X-Filename': 'empty.jpg' } }), 400, 'EMPTY_FILE'],
    ['over the size limit (Content-Length)', async () => ({ body: Buffer.alloc(600 * 1024, 1), headers: { 'X-Filename': 'big.jpg' } }), 413, 'BODY_TOO_LARGE'],
    ['SVG', async () => ({ body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', headers: { 'Content-Type': 'image/svg+xml', 'X-Filename': 'x.svg' } }), 415, 'MEDIA_UNSUPPORTED'],
    ['HTML named .jpg', async () => ({ body: '<!doctype html><html><script>alert(1)</script></html>', headers: { 'Content-Type': 'image/jpeg', 'X-Filename': 'x.jpg' } }), 415, 'MEDIA_UNSUPPORTED'],
    ['a truncated JPEG', async () => ({ body: (await jpeg({ seed: 50 })).subarray(0, 400), headers: { 'X-Filename': 'cut.jpg' } }), 422, 'MEDIA_CORRUPT'],
    ['a JPEG header then garbage', async () => ({ body: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)]), headers: { 'X-Filename': 'garbage.jpg' } }), 422, 'MEDIA_CORRUPT'],
    ['a decompression bomb (more pixels than the limit)', async () => ({ body: await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer(), headers: { 'X-Filename': 'bomb.png' } }), 413, 'MEDIA_TOO_LARGE'],
    ['a traversal filename', async () => ({ body: await jpeg({ seed: 51 }), headers: { 'X-Filename': encodeURIComponent('../../etc/passwd.jpg') } }), 400, 'FILENAME_INVALID'],
    ['a backslash filename', async () => ({ body: await jpeg({ seed: 51 }), headers: { 'X-Filename': encodeURIComponent('..\\boot.ini') } }), 400, 'FILENAME_INVALID'],
    ['control characters in the filename', async () => ({ body: await jpeg({ seed: 51 }), headers: { 'X-Filename': encodeURIComponent('a\u0007b.jpg') } }), 400, 'FILENAME_INVALID'],
    ['a bidi override in the filename', async () => ({ body: await jpeg({ seed: 51 }), headers: { 'X-Filename': encodeURIComponent('photo\u202egpj.exe') } }), 400, 'FILENAME_INVALID'],
    ['a broken percent-encoding', async () => ({ body: await jpeg({ seed: 51 }), headers: { 'X-Filename': '%E0%A4%A' } }), 400, 'FILENAME_INVALID'],
    ['a form post', async () => ({ body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'MEDIA_UNSUPPORTED'],
    ['malformed multipart', async () => ({ body: 'not multipart at all', headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' } }), 400, 'BAD_REQUEST'],
    ['multipart without a boundary', async () => ({ body: 'x', headers: { 'Content-Type': 'multipart/form-data' } }), 400, 'BAD_REQUEST'],
  ]
  it.each(cases)('%s', async (_name, make, status, code) => {
    const before = await snapshot()
    const { body, headers } = await make()
    const res = await post(body, headers)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(res.body.error.message).toEqual(expect.any(String))
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await snapshot()).toEqual(before)
  })

  it('over the size limit without a Content-Length (chunked): 413 and nothing stored', async () => {
    const before = await snapshot()
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${lib.url}/api/assets`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked', 'X-Filename': 'big.jpg' } }, (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      const chunk = Buffer.alloc(64 * 1024, 7)
      let sent = 0
      void jpegHead.then((head) => req.write(head)) // looks like a JPEG, so only the size stops it
      const pump = () => {
        while (sent < 1024 * 1024) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      void jpegHead.then(pump)
    }).catch((err: unknown) => ({ status: -1, body: String(err) }))
    if (result.status !== -1) {
      expect(result.status).toBe(413)
      expect(JSON.parse(result.body).error.code).toBe('BODY_TOO_LARGE')
    }
    expect(await snapshot()).toEqual(before)
  })

  it('a multipart file over the limit fails the whole upload and commits none of it', async () => {
    const before = await snapshot()
    const { status, body } = await uploadMultipart(lib.url, [
      { name: 'ok.png', bytes: await png(10, 10, 3) },
      { name: 'huge.jpg', bytes: Buffer.concat([(await jpeg({ seed: 52 })).subarray(0, 200), Buffer.alloc(600 * 1024, 3)]) },
    ])
    expect([status, body.error.code]).toEqual([413, 'BODY_TOO_LARGE'])
    expect((await snapshot()).commits).toBe(before.commits)
  })

  it('takes a raw body whatever its Content-Type says (curl --data-binary sends form-urlencoded)', async () => {
    const res = await post(await jpeg({ seed: 54 }), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Filename': 'curl.jpg' })
    expect([res.status, res.body.format]).toEqual([201, 'jpeg'])
  })

  it('a file that is no image is refused by its first bytes: the store writes none of it', async () => {
    const before = await snapshot()
    const res = await post(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(100 * 1024, 0x20)]), { 'X-Filename': 'doc.pdf' })
    expect([res.status, res.body.error.code]).toEqual([415, 'MEDIA_UNSUPPORTED'])
    expect(await snapshot()).toEqual(before)
  })

  it('a bad filename in multipart refuses that file only', async () => {
    const { status, body } = await uploadMultipart(lib.url, [
      { name: 'fine.png', bytes: await png(12, 12, 4) },
      { name: '../evil.png', bytes: await png(12, 12, 5) },
    ])
    expect(status).toBe(207)
    expect(body.items.map((i: any) => [i.status, i.error?.code])).toEqual([
      [201, undefined],
      [400, 'FILENAME_INVALID'],
    ])
  })
})
