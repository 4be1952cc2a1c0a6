// A small streaming OCI Distribution client for the benchmarks: keep-alive node:http, bodies piped.
import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { createHash } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { GeneratedBlob } from './gen.js'
import { benchTls } from './tls.js'

export interface Response {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  readonly body: Buffer
}

export class OciClient {
  readonly agent: Agent
  private readonly request: typeof request
  constructor(
    readonly base: string,
    readonly auth: string | undefined,
  ) {
    // --https: the run's CA is the only trust root
    const tls = base.startsWith('https:') ? benchTls() : undefined
    this.agent = tls ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: tls.ca }) : new Agent({ keepAlive: true, maxSockets: 64 })
    this.request = tls ? (httpsRequest as typeof request) : request
  }

  static basic(base: string, user: string, password: string): OciClient {
    return new OciClient(base, `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`)
  }

  close(): void {
    this.agent.destroy()
  }

  /** Sends a request; the body may be a stream. Returns the response with its body buffered (small ones). */
  async send(method: string, path: string, opts: { headers?: OutgoingHttpHeaders; body?: Readable | Buffer; sink?: (res: IncomingMessage) => Promise<void> } = {}): Promise<Response> {
    const url = new URL(path, this.base)
    const headers: OutgoingHttpHeaders = { ...opts.headers }
    if (this.auth) headers.authorization = this.auth
    return new Promise<Response>((resolve, reject) => {
      const req = this.request(url, { method, headers, agent: this.agent }, (res) => {
        const done = (body: Buffer) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
        if (opts.sink && res.statusCode !== undefined && res.statusCode < 300) {
          opts.sink(res).then(() => done(Buffer.alloc(0)), reject)
          return
        }
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () => done(Buffer.concat(parts)))
        res.on('error', reject)
      })
      req.on('error', reject)
      const body = opts.body
      if (body === undefined) req.end()
      else if (Buffer.isBuffer(body)) req.end(body)
      else pipeline(body, req).catch(reject)
    })
  }

  async expect(status: number | number[], method: string, path: string, opts: Parameters<OciClient['send']>[2] = {}): Promise<Response> {
    const res = await this.send(method, path, opts)
    const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status
    if (!ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`)
    return res
  }

  private location(res: Response): string {
    const loc = res.headers.location
    if (!loc) throw new Error('upload response without Location')
    const url = new URL(loc, this.base)
    return url.pathname + url.search
  }

  private withDigest(location: string, digest: string): string {
    return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
  }

  /** POST then one PUT carrying the whole body (what most clients call a monolithic upload). */
  async pushMonolithic(repo: string, blob: GeneratedBlob): Promise<void> {
    const start = await this.expect(202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
    await this.expect(201, 'PUT', this.withDigest(this.location(start), blob.digest), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': blob.size },
      body: blob.stream(),
    })
  }

  /** POST an upload; the path (with `digest=`) that a monolithic PUT of `digest` then goes to. */
  async startUpload(repo: string, digest: string): Promise<string> {
    const start = await this.expect(202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
    return this.withDigest(this.location(start), digest)
  }

  /** POST, PATCH chunks with Content-Range, then a closing PUT without body. */
  async pushChunked(repo: string, blob: GeneratedBlob, chunk: number): Promise<void> {
    let res = await this.expect(202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
    for (let offset = 0; offset < blob.size; offset += chunk) {
      const end = Math.min(blob.size, offset + chunk)
      res = await this.expect(202, 'PATCH', this.location(res), {
        headers: { 'content-type': 'application/octet-stream', 'content-length': end - offset, 'content-range': `${offset}-${end - 1}` },
        body: blob.stream(offset, end),
      })
    }
    await this.expect(201, 'PUT', this.withDigest(this.location(res), blob.digest), { headers: { 'content-length': 0 } })
  }

  /** Pushes a small in-memory blob (config, tiny layer). */
  async pushSmall(repo: string, data: Buffer, digest: string): Promise<void> {
    const start = await this.expect(202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
    await this.expect(201, 'PUT', this.withDigest(this.location(start), digest), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
      body: data,
    })
  }

  /** Streams a blob down; returns the byte count and, when asked, its sha256 digest. */
  async pullBlob(repo: string, digest: string, opts: { hash?: boolean } = {}): Promise<{ size: number; digest?: string }> {
    let size = 0
    const hash = opts.hash ? createHash('sha256') : undefined
    await this.expect(200, 'GET', `/v2/${repo}/blobs/${digest}`, {
      sink: async (res) => {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          size += chunk.length
          hash?.update(chunk)
        }
      },
    })
    return hash ? { size, digest: `sha256:${hash.digest('hex')}` } : { size }
  }

  async putManifest(repo: string, ref: string, manifest: Buffer, mediaType: string): Promise<Response> {
    return this.expect(201, 'PUT', `/v2/${repo}/manifests/${ref}`, {
      headers: { 'content-type': mediaType, 'content-length': manifest.length },
      body: manifest,
    })
  }

  async getManifest(repo: string, ref: string): Promise<Response> {
    return this.expect(200, 'GET', `/v2/${repo}/manifests/${ref}`, { headers: { accept: OCI_MANIFEST } })
  }
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar'
