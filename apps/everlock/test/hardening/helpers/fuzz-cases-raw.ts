// Malformed HTTP on a raw socket: lying Content-Length, huge headers, smuggling shapes, bad framing.
// The server must answer 4xx or close the connection — never 5xx — and make nothing visible.
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { raw } from './http.js'
import type { Counter } from './expect-reply.js'
import { send, sha256, uploadPath, withDigest, type Target } from './oci.js'
import type { Case, Seeded } from './fuzz-cases.js'

function named<T extends object>(label: string, value: T): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label })
}

const KINDS = ['length-too-long', 'length-too-short', 'huge-header', 'many-headers', 'bad-method', 'cl-and-te', 'bad-chunk-size', 'double-cl', 'bad-version', 'no-host'] as const

function head(t: Target, method: string, path: string, extra: string[]): string {
  return [`${method} ${path} HTTP/1.1`, `Host: ${t.host}`, ...(t.auth ? [`Authorization: ${t.auth}`] : []), ...extra, '', ''].join('\r\n')
}

export const rawCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...KINDS), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 17, max: 128 }))
  .map(([kind, size, headerKiB]) =>
    named(`raw ${kind} size=${size} header=${headerKiB}KiB`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const data = randomBytes(size)
        const digest = sha256(data)
        let path = `/v2/${s.repo}/manifests/v1`
        if (kind === 'length-too-long' || kind === 'length-too-short') {
          n.requests++
          const start = await send(t, 'POST', `/v2/${s.repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
          path = withDigest(uploadPath(start), digest)
        }
        const pieces: Array<string | Buffer> = {
          'length-too-long': [head(t, 'PUT', path, [`Content-Length: ${size + 100}`, 'Content-Type: application/octet-stream']), data],
          'length-too-short': [head(t, 'PUT', path, [`Content-Length: ${size - 1}`, 'Content-Type: application/octet-stream']), data],
          'huge-header': [head(t, 'GET', path, [`X-Big: ${'a'.repeat(headerKiB * 1024)}`])],
          'many-headers': [head(t, 'GET', path, Array.from({ length: headerKiB * 20 }, (_, i) => `X-H${i}: ${i}`))],
          'bad-method': [head(t, 'G(T', path, [])],
          'cl-and-te': [head(t, 'PUT', path, ['Content-Length: 5', 'Transfer-Encoding: chunked']), '0\r\n\r\n'],
          'bad-chunk-size': [head(t, 'PUT', path, ['Transfer-Encoding: chunked']), 'zz\r\nabc\r\n0\r\n\r\n'],
          'double-cl': [head(t, 'PUT', path, ['Content-Length: 3', 'Content-Length: 4']), 'abcd'],
          'bad-version': [`GET ${path} HTTP/9.9\r\nHost: ${t.host}\r\n\r\n`],
          'no-host': [`GET /v2/ HTTP/1.1\r\n\r\n`],
        }[kind]
        n.requests++
        const reply = await raw(t.base, pieces, { halfClose: true, waitMs: 10_000 })
        if (reply.status !== undefined && reply.status >= 500 && !(kind === 'bad-version' && reply.status === 505)) {
          throw new Error(`${kind}: server answered ${reply.status}: ${reply.text.slice(0, 300)}`)
        }
        if (reply.closedBy === 'timeout') throw new Error(`${kind}: no answer and no close within 10 s`)
        if (kind === 'length-too-long' || kind === 'length-too-short') {
          if (reply.status !== undefined && reply.status < 300) throw new Error(`${kind}: upload accepted with ${reply.status}`)
          n.requests++
          const visible = await send(t, 'HEAD', `/v2/${s.repo}/blobs/${digest}`)
          if (visible.status !== 404) throw new Error(`${kind}: blob visible after a lying Content-Length (HEAD ${visible.status})`)
        }
      },
    }),
  )
