// Slow and stuck clients: connections that never send their headers and bodies that trickle are cut off by
// the server's timeouts, and while they hang on, everybody else is served. A client that disconnects in
// the middle of an upload leaves nothing visible.
import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeImage, pushBlob, pushImage, send, sha256, uploadPath, withDigest } from './helpers/oci.js'
import { Everlock, skipReason } from './helpers/serve.js'

/** How long the server may keep a connection that sends nothing / trickles (frontend-http: headers 30 s). */
const CUT_OFF_MS = Number(process.env.EVERLOCK_SLOW_CLIENT_BOUND_MS ?? 45_000)

function open(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, closed }))
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)))
    socket.on('error', () => {})
    socket.once('error', reject)
  })
}

describe.skipIf(skipReason)('slow and stuck clients', () => {
  let ev: Everlock

  beforeAll(async () => {
    ev = await Everlock.start()
    await pushImage(ev.admin, 'slow/app', 'v1', makeImage(1, 1024))
  })
  afterAll(async () => {
    await ev?.dispose()
  })

  it('cuts off connections that never send headers and bodies that trickle, and serves others meanwhile', async () => {
    const silent = await Promise.all(Array.from({ length: 50 }, () => open(ev.httpPort)))
    const start = await send(ev.admin, 'POST', '/v2/slow/app/blobs/uploads/', { headers: { 'content-length': 0 } })
    const trickling = await open(ev.httpPort)
    trickling.socket.write(
      [`PATCH ${uploadPath(start)} HTTP/1.1`, `Host: ${ev.admin.host}`, `Authorization: ${ev.admin.auth}`, 'Content-Type: application/octet-stream', 'Content-Length: 100000', '', ''].join('\r\n'),
    )
    const trickle = setInterval(() => trickling.socket.destroyed || trickling.socket.write('x'), 1000)
    try {
      for (let i = 0; i < 20; i++) {
        const t0 = Date.now()
        const r = await send(ev.admin, 'GET', '/v2/slow/app/manifests/v1', { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
        expect(r.status).toBe(200)
        expect(Date.now() - t0).toBeLessThan(1000)
      }
      const cutOff = await Promise.race([
        Promise.all([...silent.map((s) => s.closed), trickling.closed]),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), CUT_OFF_MS)),
      ])
      expect(cutOff, `silent or trickling connections still open after ${CUT_OFF_MS} ms`).toBeDefined()
      expect(Math.max(...cutOff!)).toBeLessThan(CUT_OFF_MS)
      const r = await send(ev.admin, 'GET', '/v2/slow/app/manifests/v1', { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
      expect(r.status).toBe(200)
    } finally {
      clearInterval(trickle)
      for (const s of [...silent, trickling]) s.socket.destroy()
    }
    expect(ev.alive).toBe(true)
  }, CUT_OFF_MS + 60_000)

  it('leaves nothing visible when a client disconnects mid-upload', async () => {
    const data = randomBytes(1024 * 1024)
    const start = await send(ev.admin, 'POST', '/v2/slow/app/blobs/uploads/', { headers: { 'content-length': 0 } })
    const conn = await open(ev.httpPort)
    conn.socket.write(
      [`PUT ${withDigest(uploadPath(start), sha256(data))} HTTP/1.1`, `Host: ${ev.admin.host}`, `Authorization: ${ev.admin.auth}`, 'Content-Type: application/octet-stream', `Content-Length: ${data.length}`, '', ''].join('\r\n'),
    )
    conn.socket.write(data.subarray(0, data.length / 2))
    await new Promise((r) => setTimeout(r, 200))
    conn.socket.destroy()
    await conn.closed
    await new Promise((r) => setTimeout(r, 200))
    expect((await send(ev.admin, 'HEAD', `/v2/slow/app/blobs/${sha256(data)}`)).status).toBe(404)
    const tags = JSON.parse((await send(ev.admin, 'GET', '/v2/slow/app/tags/list')).body.toString('utf8')) as { tags: string[] }
    expect(tags.tags).toEqual(['v1'])
    expect(ev.alive).toBe(true)
  })

  it('keeps serving while pullers of a large blob stop reading (zero-copy transfers wait on their own threads)', async () => {
    expect(ev.logs()).toContain('blob bodies are sent with sendfile(2)')
    const big = randomBytes(24 * 1024 * 1024)
    const digest = await pushBlob(ev.admin, 'slow/app', big)
    const stuck = await Promise.all(Array.from({ length: 12 }, () => open(ev.httpPort)))
    for (const s of stuck) {
      s.socket.pause() // never read: the kernel buffers fill and the transfer waits for room
      s.socket.write([`GET /v2/slow/app/blobs/${digest} HTTP/1.1`, `Host: ${ev.admin.host}`, `Authorization: ${ev.admin.auth}`, '', ''].join('\r\n'))
    }
    try {
      await new Promise((r) => setTimeout(r, 300))
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now()
        const r = await send(ev.admin, 'GET', `/v2/slow/app/blobs/${digest}`, { timeoutMs: 10_000 })
        expect(r.status).toBe(200)
        expect(sha256(r.body)).toBe(digest)
        expect(Date.now() - t0).toBeLessThan(5000)
        const m = await send(ev.admin, 'GET', '/v2/slow/app/manifests/v1', { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
        expect(m.status).toBe(200)
      }
    } finally {
      for (const s of stuck) s.socket.destroy()
    }
    expect(ev.alive).toBe(true)
  })
})
