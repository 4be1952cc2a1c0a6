import { Agent } from 'node:http'
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpFrontend, parseListenAddress, type HttpFrontend } from '@everlock/frontend-http'
import { request } from './helpers.js'

let frontend: HttpFrontend | undefined

/** A raw TCP client; the server cutting it off may arrive as a reset, so only its 'close' matters. */
function rawConnection(port: number): Socket {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  return socket
}

/** Vhost `localhost`: reads the whole request body, then answers `got it`. */
function mountUpload(target: HttpFrontend, onBodyEnd: () => void = () => undefined): void {
  target.vhosts.set('localhost', {
    backend: 'test',
    instance: 'upload',
    accessPath: 'http/test/upload',
    authorizesItself: true,
    handler: (req, res) => {
      req.resume()
      req.on('end', () => {
        onBodyEnd()
        res.end('got it')
      })
    },
  })
}

afterEach(async () => {
  await frontend?.close()
  frontend = undefined
})

describe('parseListenAddress', () => {
  it('reads host:port and [ipv6]:port', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 })
    expect(parseListenAddress('localhost:9464')).toEqual({ host: 'localhost', port: 9464 })
  })

  it('refuses anything else with LISTEN_ADDRESS_INVALID', () => {
    for (const bad of ['', '8080', ':8080', '127.0.0.1', '127.0.0.1:99999', '::1:80', '[::1]', '[nope]:80', 'a b:80', 'host:8o']) {
      expect(() => parseListenAddress(bad), bad).toThrow(expect.objectContaining({ code: 'LISTEN_ADDRESS_INVALID' }))
    }
    expect(() => createHttpFrontend({ metrics: { listen: 'nope' } })).toThrow(expect.objectContaining({ code: 'LISTEN_ADDRESS_INVALID' }))
  })
})

describe('listen and close', () => {
  it('reports LISTEN_FAILED for a taken port and CLOSED after close', async () => {
    const blocker = createTcpServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const taken = (blocker.address() as AddressInfo).port
    frontend = createHttpFrontend({ metrics: { listen: '' } })
    await expect(frontend.listen(`127.0.0.1:${taken}`)).rejects.toMatchObject({ code: 'LISTEN_FAILED' })
    await new Promise((resolve) => blocker.close(resolve))
    await frontend.close()
    await expect(frontend.listen('127.0.0.1:0')).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('finishes an in-flight request on close, refuses new connections, reports not ready meanwhile', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let entered!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    frontend = createHttpFrontend({ metrics: { listen: '127.0.0.1:0' } })
    frontend.vhosts.set('localhost', {
      backend: 'test',
      instance: 'slow',
      accessPath: 'http/test/slow',
      authorizesItself: true,
      handler: async (_req, res) => {
        entered()
        await released
        res.end('finished')
      },
    })
    const { port, metricsPort } = await frontend.listen('127.0.0.1:0')
    const agent = new Agent({ keepAlive: true }) // the connection stays open after the answer
    const inFlight = request(port, { path: '/work', agent })
    await inside
    let closed = false
    const closing = frontend.close().then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(closed).toBe(false)
    await expect(request(port, { path: '/healthz' })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    release()
    const reply = await inFlight
    expect([reply.status, reply.body]).toEqual([200, 'finished'])
    expect(reply.headers.connection).toBe('keep-alive')
    await closing
    expect(closed).toBe(true)
    agent.destroy()
    await expect(request(metricsPort!, { path: '/metrics' })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    frontend = undefined
  })

  it('cuts a stuck request after drainMs', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '' }, drainMs: 200 })
    frontend.vhosts.set('localhost', {
      backend: 'test',
      instance: 'stuck',
      accessPath: 'http/test/stuck',
      authorizesItself: true,
      handler: () => undefined, // never answers
    })
    const { port } = await frontend.listen('127.0.0.1:0')
    const stuck = request(port, { path: '/' }).catch((err: { code?: string }) => err.code)
    await new Promise((r) => setTimeout(r, 50))
    const started = performance.now()
    await frontend.close()
    expect(performance.now() - started).toBeLessThan(2000)
    expect(await stuck).toBe('ECONNRESET')
    frontend = undefined
  })

  it('closes a connection that stalls mid-body after idleMs', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '' }, timeouts: { idleMs: 300 } })
    mountUpload(frontend)
    const { port } = await frontend.listen('127.0.0.1:0')
    const socket = rawConnection(port)
    const started = performance.now()
    socket.write('PUT /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\npartial')
    socket.resume()
    await new Promise((resolve) => socket.on('close', resolve))
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(3000)
  })

  it('drops a client that never finishes its headers after headersMs', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '' }, timeouts: { headersMs: 300, idleMs: 0 } })
    const { port } = await frontend.listen('127.0.0.1:0')
    const socket = rawConnection(port)
    let answer = ''
    socket.on('data', (c: Buffer) => (answer += c.toString()))
    const started = performance.now()
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n')
    const timer = setInterval(() => socket.write('X-Slow: 1\r\n'), 100) // trickles, never ends
    await new Promise((resolve) => socket.on('close', resolve))
    clearInterval(timer)
    expect(performance.now() - started).toBeLessThan(3000)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
  })
  it('cuts a request body that trickles slower than the minimum rate, while a steady one passes', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '' }, timeouts: { idleMs: 0, bodyRate: { minBytes: 200, windowMs: 400 } } })
    let finished = 0
    mountUpload(frontend, () => finished++)
    const { port } = await frontend.listen('127.0.0.1:0')
    const send = (bytesPerTick: number, total: number) => {
      const socket = rawConnection(port)
      let answer = ''
      socket.on('data', (c: Buffer) => {
        answer += c.toString()
        if (answer.includes('got it')) socket.destroy() // answered: don't wait for keep-alive to end
      })
      socket.write(`PUT /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${total}\r\n\r\n`)
      let sent = 0
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= total) return clearInterval(timer)
        const n = Math.min(bytesPerTick, total - sent)
        socket.write('x'.repeat(n))
        sent += n
      }, 50)
      return new Promise<string>((resolve) => socket.on('close', () => (clearInterval(timer), resolve(answer))))
    }
    const started = performance.now()
    const trickle = send(1, 10_000) // 20 bytes/s
    const steady = send(100, 2_000) // 2000 bytes/s, done in ~1 s
    expect(await steady).toMatch(/got it/)
    expect(await trickle).toBe('')
    expect(performance.now() - started).toBeLessThan(3000)
    expect(finished).toBe(1)
  })
})
