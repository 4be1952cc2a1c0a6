// Plain HTTP requests with an explicit Host header (reg2.localhost need not resolve), bodies in memory (small).
import { request as httpRequest } from 'node:http'

export interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
  json<T = unknown>(): T
}

export interface Req {
  readonly port: number
  readonly host: string
  readonly method?: string
  readonly path: string
  readonly auth?: [string, string]
  readonly headers?: Record<string, string>
  readonly body?: Buffer | string
}

export function request(r: Req): Promise<Reply> {
  const headers: Record<string, string> = { host: r.host, ...r.headers }
  if (r.auth) headers['authorization'] = `Basic ${Buffer.from(`${r.auth[0]}:${r.auth[1]}`).toString('base64')}`
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body))
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: r.port, method: r.method ?? 'GET', path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(r.body)
  })
}
