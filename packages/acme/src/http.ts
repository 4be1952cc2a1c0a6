import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { AcmeError } from './errors.js'

export interface HttpReply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

/** How the client talks to the ACME server; the default is node:https with the given trust roots. */
export type AcmeFetch = (url: string, init: { method: 'GET' | 'HEAD' | 'POST'; headers?: Record<string, string>; body?: string }) => Promise<HttpReply>

const MAX_BODY = 1 << 20

/**
 * A small HTTPS client for ACME's JSON and PEM replies (bounded to 1 MiB, 30 s). `ca` replaces the default trust
 * roots (a test CA such as pebble's); plain `http:` URLs are refused unless `allowHttp` (tests only).
 */
export function nodeFetch(options: { ca?: string | Buffer; timeoutMs?: number; allowHttp?: boolean } = {}): AcmeFetch {
  const timeoutMs = options.timeoutMs ?? 30_000
  return (url, init) =>
    new Promise<HttpReply>((resolve, reject) => {
      const target = new URL(url)
      if (target.protocol !== 'https:' && !(options.allowHttp && target.protocol === 'http:')) {
        reject(new AcmeError('OPTIONS_INVALID', `ACME URLs must be https: ${url}`))
        return
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(
        target,
        {
          method: init.method,
          headers: { 'user-agent': 'everlock-acme/0.1', ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) },
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > MAX_BODY) req.destroy(new AcmeError('ACME_UNREACHABLE', `reply from ${target.origin} is larger than 1 MiB`))
            else chunks.push(chunk)
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new AcmeError('ACME_UNREACHABLE', `no reply from ${target.origin} within ${timeoutMs} ms`)))
      req.on('error', (err) => reject(err instanceof AcmeError ? err : new AcmeError('ACME_UNREACHABLE', `cannot reach ${target.origin}: ${err.message}`, { cause: err })))
      req.end(init.body)
    })
}
