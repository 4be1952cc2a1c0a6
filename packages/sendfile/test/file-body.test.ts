import { randomBytes } from 'node:crypto'
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFileBodySender, SendfileError, type FileBodySender } from '@everlock/sendfile'

const MiB = 1024 * 1024
let dir: string
let small: Buffer
let big: Buffer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sendfile-test-'))
  small = randomBytes(100 * 1024)
  big = randomBytes(48 * MiB)
  await writeFile(join(dir, 'small'), small)
  await writeFile(join(dir, 'big'), big)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Served {
  base: string
  port: number
  server: Server
  errors: unknown[]
  responses: import('node:http').ServerResponse[]
  close(): Promise<void>
}

/** GET /<file>?start=&length= answers with that slice of the file through the sender. */
async function serve(send: FileBodySender): Promise<Served> {
  const errors: unknown[] = []
  const responses: import('node:http').ServerResponse[] = []
  const server = createServer(async (req, res) => {
    responses.push(res)
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/ping') return void res.end('pong')
    const fh = await open(join(dir, url.pathname.slice(1)))
    try {
      const size = (await fh.stat()).size
      const start = Number(url.searchParams.get('start') ?? 0)
      const length = Number(url.searchParams.get('length') ?? size - start)
      await send(res, { status: start === 0 && length === size ? 200 : 206, headers: { 'Content-Type': 'application/octet-stream' }, fd: fh.fd, start, length })
    } catch (err) {
      errors.push(err)
    } finally {
      await fh.close()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    server,
    errors,
    responses,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function get(url: string, agent?: Agent): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer; localPort: number }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      const localPort = res.socket.localPort!
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts), localPort }))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('zero-copy file bodies', () => {
  test('the addon is built and loads on Linux', () => {
    const send = createFileBodySender()
    expect(send.reason).toBeUndefined()
    expect(send.zeroCopy).toBe(process.platform === 'linux')
  })

  test('whole files and slices arrive byte-exact, back to back on one keep-alive connection', async () => {
    const send = createFileBodySender()
    const s = await serve(send)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const whole = await get(`${s.base}/big`, agent)
      expect(whole.status).toBe(200)
      expect(Number(whole.headers['content-length'])).toBe(big.length)
      expect(whole.body.equals(big)).toBe(true)
      const slice = await get(`${s.base}/big?start=${5 * MiB + 7}&length=${3 * MiB + 1}`, agent)
      expect(slice.status).toBe(206)
      expect(slice.body.equals(big.subarray(5 * MiB + 7, 8 * MiB + 8))).toBe(true)
      const after = await get(`${s.base}/ping`, agent)
      expect(after.body.toString()).toBe('pong')
      expect(new Set([whole.localPort, slice.localPort, after.localPort]).size).toBe(1) // one connection, framing intact
      expect(send.stats()).toMatchObject({ zeroCopy: 2, zeroCopyBytes: big.length + 3 * MiB + 1, streamed: 0, active: 0 })
      expect(s.responses.map((res) => send.sentOutOfBand(res))).toEqual([big.length, 3 * MiB + 1, 0])
      expect(s.errors).toEqual([])
    } finally {
      agent.destroy()
      await s.close()
    }
  })

  test('small bodies, a full slot table and zeroCopy:false are streamed, with the same bytes', async () => {
    for (const [send, file, bytes] of [
      [createFileBodySender(), 'small', small],
      [createFileBodySender({ maxTransfers: 0 }), 'big', big],
      [createFileBodySender({ zeroCopy: false }), 'big', big],
    ] as const) {
      const s = await serve(send)
      try {
        const got = await get(`${s.base}/${file}`)
        expect(got.body.equals(bytes)).toBe(true)
        await until(() => send.stats().streamed === 1) // the client may have every byte before the server's pipeline settles
        expect(send.stats()).toMatchObject({ zeroCopy: 0, streamed: 1, streamedBytes: bytes.length })
        expect(send.sentOutOfBand(s.responses[0]!)).toBe(0)
      } finally {
        await s.close()
      }
    }
    const off = createFileBodySender({ zeroCopy: false })
    expect(off.zeroCopy).toBe(false)
    expect(off.reason).toMatch(/turned off/)
  })

  test('a client that disconnects mid-body ends the transfer as CLIENT_GONE; the server goes on', async () => {
    const send = createFileBodySender()
    const s = await serve(send)
    try {
      await new Promise<void>((resolve, reject) => {
        request(`${s.base}/big`, (res) => {
          res.once('data', () => {
            res.destroy()
            resolve()
          })
        })
          .on('error', reject)
          .end()
      })
      await until(() => s.errors.length === 1 && send.stats().active === 0)
      expect(s.errors[0]).toBeInstanceOf(SendfileError)
      expect(s.errors[0]).toMatchObject({ code: 'CLIENT_GONE' })
      expect((await get(`${s.base}/big`)).body.equals(big)).toBe(true)
    } finally {
      await s.close()
    }
  })

  test('a client that stops reading is cut off after stallMs as STALLED', async () => {
    const send = createFileBodySender({ stallMs: 300 })
    const s = await serve(send)
    try {
      const sock = connect(s.port, '127.0.0.1')
      sock.pause() // never read: the kernel buffers fill, then sendfile waits
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()))
      sock.on('error', () => undefined)
      sock.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n')
      await until(() => s.errors.length === 1)
      expect(s.errors[0]).toMatchObject({ code: 'STALLED' })
      expect((s.errors[0] as SendfileError).sent).toBeLessThan(big.length)
      sock.resume()
      await closed // the server closed the connection
      expect(send.stats().active).toBe(0)
    } finally {
      await s.close()
    }
  })

  test('a file shorter than the promised length fails as FILE_SHORT and closes the connection', async () => {
    const send = createFileBodySender()
    const s = await serve(send)
    try {
      const outcome = await new Promise<string>((resolve) => {
        request(`${s.base}/big?start=${40 * MiB}&length=${16 * MiB}`, (res) => {
          let got = 0
          res.on('data', (c: Buffer) => (got += c.length))
          res.on('end', () => resolve(`end ${got}`))
          res.on('error', () => resolve(`aborted ${got}`))
          res.on('aborted', () => resolve(`aborted ${got}`))
        })
          .on('error', () => resolve('error'))
          .end()
      })
      expect(outcome).toBe(`aborted ${8 * MiB}`)
      await until(() => s.errors.length === 1)
      expect(s.errors[0]).toMatchObject({ code: 'FILE_SHORT', sent: 8 * MiB })
    } finally {
      await s.close()
    }
  })
})
