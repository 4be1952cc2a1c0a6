// Minimal OCI pushes and pulls for the hardening tests, on top of call().
import { createHash, randomBytes } from 'node:crypto'
import { call, type Reply } from './http.js'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** Where requests go: the listener, the vhost it must name, and the credentials (undefined = anon). */
export interface Target {
  readonly base: string
  readonly host: string
  readonly auth?: string
  /** Source address per request (see call()); a function gives each request its own. */
  readonly from?: () => string
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

export function send(t: Target, method: string, path: string, opts: { headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<Reply> {
  const headers: Record<string, string | number> = { host: t.host, ...opts.headers }
  if (t.auth) headers.authorization = t.auth
  if (opts.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(opts.body)
  return call(t.base, method, path, { headers, body: opts.body, timeoutMs: opts.timeoutMs, localAddress: t.from?.() })
}

export function uploadPath(reply: Reply): string {
  const location = reply.headers.location
  if (!location) throw new Error(`no Location in ${reply.status} reply`)
  const url = new URL(location, 'http://x')
  return url.pathname + url.search
}

export function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
}

export async function pushBlob(t: Target, repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data)
  const start = await send(t, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
  if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.body}`)
  const put = await send(t, 'PUT', withDigest(uploadPath(start), digest), { headers: { 'content-type': 'application/octet-stream' }, body: data })
  if (put.status !== 201) throw new Error(`PUT blob: ${put.status} ${put.body}`)
  return digest
}

export interface TestImage {
  readonly blobs: ReadonlyArray<{ digest: string; data: Buffer }>
  readonly manifest: Buffer
  readonly digest: string
}

export function makeImage(layers = 2, layerSize = 4096): TestImage {
  const layerData = Array.from({ length: layers }, () => randomBytes(layerSize))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layerData.map((d) => sha256(d)) } }))
  const blobs = [config, ...layerData].map((data) => ({ data, digest: sha256(data) }))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobs[0]!.digest, size: config.length },
      layers: blobs.slice(1).map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: b.digest, size: b.data.length })),
    }),
  )
  return { blobs, manifest, digest: sha256(manifest) }
}

export async function pushImage(t: Target, repo: string, tag: string, image: TestImage): Promise<void> {
  for (const blob of image.blobs) await pushBlob(t, repo, blob.data)
  const put = await send(t, 'PUT', `/v2/${repo}/manifests/${tag}`, { headers: { 'content-type': OCI_MANIFEST }, body: image.manifest })
  if (put.status !== 201) throw new Error(`PUT manifest: ${put.status} ${put.body}`)
}

/** Pulls the image by tag and checks every byte against what was pushed. Returns a problem or undefined. */
export async function checkImage(t: Target, repo: string, tag: string, image: TestImage): Promise<string | undefined> {
  const m = await send(t, 'GET', `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } })
  if (m.status !== 200) return `${repo}:${tag} manifest ${m.status}`
  if (!m.body.equals(image.manifest)) return `${repo}:${tag} manifest bytes differ`
  for (const blob of image.blobs) {
    const b = await send(t, 'GET', `/v2/${repo}/blobs/${blob.digest}`)
    if (b.status !== 200) return `${repo} blob ${blob.digest} ${b.status}`
    if (!b.body.equals(blob.data)) return `${repo} blob ${blob.digest} bytes differ`
  }
  return undefined
}
