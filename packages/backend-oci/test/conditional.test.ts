import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFileBodySender } from '@everlock/sendfile'
import type { SendFile } from '@everlock/backend-oci'
import { client, errorCode } from './helpers/client'
import { startRegistry, type Running } from './helpers/server'

// Conditional and range requests on blob GETs (RFC 9110 §13, §14), once with bodies streamed through
// JavaScript and once with the zero-copy sender (a blob large enough that sendfile(2) takes it).
const sender = createFileBodySender({ minZeroCopyBytes: 1 })

describe.each([
  ['streamed', undefined],
  ['zero-copy', sender],
] as Array<[string, SendFile | undefined]>)('blob GET (%s)', (_label, sendFile) => {
  let reg: Running
  let c: ReturnType<typeof client>
  let data: Buffer
  let digest: string
  let url: string
  beforeAll(async () => {
    reg = await startRegistry(sendFile ? { sendFile } : {})
    c = client(reg.base)
    data = randomBytes(300 * 1024 + 7)
    digest = await c.pushBlob('cond/repo', data)
    url = `/v2/cond/repo/blobs/${digest}`
  })
  afterAll(async () => {
    await reg.close()
  })

  const whole = async (headers: Record<string, string>) => {
    const r = await fetch(reg.base + url, { headers })
    return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) }
  }

  test('If-None-Match with the blob\'s own ETag answers 304 (GET and HEAD), also weak, listed or *', async () => {
    const etag = (await c.req('HEAD', url)).headers.get('etag')!
    expect(etag).toBe(`"${digest}"`)
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      for (const method of ['GET', 'HEAD']) {
        const r = await c.req(method, url, undefined, { 'If-None-Match': value })
        expect(r.status, `${method} ${value}`).toBe(304)
        expect(r.text).toBe('')
        expect(r.headers.get('etag')).toBe(etag)
        expect(r.headers.get('docker-content-digest')).toBe(digest)
      }
    }
    // a validator that does not match serves the body; If-None-Match wins over Range
    const other = await whole({ 'If-None-Match': '"sha256:something-else"' })
    expect(other.status).toBe(200)
    expect(other.body.equals(data)).toBe(true)
    expect((await c.req('GET', url, undefined, { 'If-None-Match': etag, Range: 'bytes=0-3' })).status).toBe(304)
  })

  test('If-Range: a matching ETag honours the range, a mismatched one (or a date, or a weak tag) sends the whole body', async () => {
    const etag = `"${digest}"`
    const part = await whole({ Range: 'bytes=10-19', 'If-Range': etag })
    expect(part.status).toBe(206)
    expect(part.body.equals(data.subarray(10, 20))).toBe(true)
    for (const validator of ['"sha256:stale"', `W/${etag}`, 'Tue, 01 Dec 2026 10:00:00 GMT']) {
      const r = await whole({ Range: 'bytes=10-19', 'If-Range': validator })
      expect(r.status, validator).toBe(200)
      expect(r.headers.get('content-range')).toBeNull()
      expect(r.headers.get('content-length')).toBe(String(data.length))
      expect(r.body.equals(data)).toBe(true)
    }
  })

  test('unparseable and multi-range Range headers are ignored: 200 with the whole body', async () => {
    for (const range of ['items=0-5', 'bytes=abc', 'bytes=0-1,5-6', 'bytes=5-2', 'bytes=', 'bytes=-', 'bytes 0-5']) {
      const r = await whole({ Range: range })
      expect(r.status, range).toBe(200)
      expect(r.body.equals(data), range).toBe(true)
    }
    // a unit is case-insensitive, whitespace around it is allowed, empty list elements are skipped
    const part = await whole({ Range: 'Bytes=0-3, ' })
    expect(part.status).toBe(206)
    expect(part.body.equals(data.subarray(0, 4))).toBe(true)
    const suffix = await whole({ Range: 'bytes=-5' })
    expect(suffix.status).toBe(206)
    expect(suffix.body.equals(data.subarray(data.length - 5))).toBe(true)
  })

  test('an unsatisfiable range is 416 with Content-Range bytes */size and SIZE_INVALID', async () => {
    for (const range of [`bytes=${data.length}-`, 'bytes=99999999999-99999999999', 'bytes=-0']) {
      const r = await c.req('GET', url, undefined, { Range: range })
      expect(r.status, range).toBe(416)
      expect(r.headers.get('content-range')).toBe(`bytes */${data.length}`)
      expect(errorCode(r)).toBe('SIZE_INVALID')
      expect(r.json().errors[0].detail).toMatchObject({ digest, size: data.length })
    }
    // the same range with a mismatched If-Range is not evaluated: the whole body
    expect((await whole({ Range: `bytes=${data.length}-`, 'If-Range': '"x"' })).status).toBe(200)
  })

  test('manifests answer If-None-Match with 304 too', async () => {
    const pushed = await c.pushImage('cond/repo', 'v1')
    const r = await c.req('GET', '/v2/cond/repo/manifests/v1', undefined, { 'If-None-Match': `"${pushed.digest}"` })
    expect(r.status).toBe(304)
    expect(r.text).toBe('')
    expect((await c.req('GET', '/v2/cond/repo/manifests/v1', undefined, { 'If-None-Match': '"nope"' })).text).toBe(pushed.body)
  })
})

test('the zero-copy sender carried the bodies of the zero-copy runs', () => {
  if (!sender.zeroCopy) return expect(sender.stats().streamed).toBeGreaterThan(0)
  expect(sender.stats().zeroCopy).toBeGreaterThan(0)
})
