// A loopback HTTP proxy in front of the real S3 server that breaks chosen requests the way networks and
// overloaded object stores do: 503 SlowDown, a connection reset before any answer, a body cut mid-way, or an
// answer held back for DELAY_MS.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault = 'pass' | 'slow-down' | 'reset' | 'cut-body' | 'delay'

/** How long a 'delay' holds a request back before forwarding it. */
export const DELAY_MS = 400

export interface FaultProxy {
  readonly endpoint: string
  /** Faults actually injected, by kind. */
  readonly injected: Record<Exclude<Fault, 'pass'>, number>
  stop(): Promise<void>
}

export async function startFaultProxy(targetPort: number, plan: (req: IncomingMessage) => Fault): Promise<FaultProxy> {
  const injected = { 'slow-down': 0, reset: 0, 'cut-body': 0, delay: 0 }
  const server = createServer((req, res) => {
    const fault = plan(req)
    if (fault === 'reset') {
      injected.reset++
      req.socket.destroy()
      return
    }
    if (fault === 'slow-down') {
      injected['slow-down']++
      req.resume()
      res.writeHead(503, { 'content-type': 'application/xml', connection: 'close' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>')
      return
    }
    if (fault === 'delay') {
      injected.delay++
      setTimeout(() => forward(req, res, 'pass'), DELAY_MS)
      return
    }
    forward(req, res, fault)
  })
  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault): void => {
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      const length = Number(up.headers['content-length'] ?? 0)
      if (fault !== 'cut-body' || length < 2) {
        up.pipe(res)
        return
      }
      injected['cut-body']++
      let sent = 0
      up.on('data', (chunk: Buffer) => {
        const room = Math.floor(length / 2) - sent
        if (room <= 0) return
        res.write(chunk.subarray(0, room))
        sent += Math.min(room, chunk.length)
        if (sent >= Math.floor(length / 2)) {
          up.destroy()
          res.socket?.destroy()
        }
      })
    })
    upstream.on('error', () => res.socket?.destroy())
    req.pipe(upstream)
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
