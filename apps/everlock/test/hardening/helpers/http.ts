// Plain node:http calls (Host header settable, unlike fetch) and raw-socket requests for malformed input.
import { request, Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface CallOptions {
  readonly headers?: OutgoingHttpHeaders
  readonly body?: Buffer | string
  readonly agent?: Agent
  readonly timeoutMs?: number
  /** Source address (any 127.x.y.z works on loopback): failed logins are throttled per address. */
  readonly localAddress?: string
}

export function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const url = new URL(base)
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: opts.headers, agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 30_000, localAddress: opts.localAddress },
      (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** The OCI error codes in an error body, or [] when the body is not the spec's error JSON. */
export function errorCodes(reply: Reply): string[] {
  try {
    const json = JSON.parse(reply.body.toString('utf8')) as { errors?: Array<{ code?: unknown }> }
    return Array.isArray(json.errors) ? json.errors.map((e) => String(e.code)) : []
  } catch {
    return []
  }
}

export interface RawReply {
  readonly status: number | undefined
  readonly text: string
  readonly closedBy: 'server' | 'timeout'
}

/**
 * Writes raw bytes on a fresh socket (pieces with optional pauses, half-closing when asked) and collects
 * whatever comes back until the server closes or `waitMs` passes.
 */
export function raw(base: string, pieces: ReadonlyArray<Buffer | string | number>, opts: { waitMs?: number; halfClose?: boolean } = {}): Promise<RawReply> {
  const url = new URL(base)
  return new Promise<RawReply>((resolve) => {
    const socket = connect(Number(url.port), url.hostname)
    const parts: Buffer[] = []
    let settled = false
    const finish = (closedBy: RawReply['closedBy']) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(parts).toString('latin1')
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      resolve({ status: m ? Number(m[1]) : undefined, text, closedBy })
    }
    const timer = setTimeout(() => finish('timeout'), opts.waitMs ?? 5_000)
    socket.on('data', (c: Buffer) => parts.push(c))
    socket.on('close', () => finish('server'))
    socket.on('error', () => finish('server'))
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (typeof piece === 'number') await new Promise((r) => setTimeout(r, piece))
        else if (!socket.destroyed) socket.write(piece)
      }
      if (opts.halfClose && !socket.destroyed) socket.end()
    })
  })
}
