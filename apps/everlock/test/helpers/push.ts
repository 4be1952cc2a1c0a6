// Push a one-layer image over plain HTTP (monolithic uploads), with an explicit Host header.
import { createHash, randomBytes } from 'node:crypto'
import { request } from './http.js'

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

export interface Where {
  readonly port: number
  readonly host: string
  readonly auth: [string, string]
}

/** Pushes `repo:tag` (a random layer of `size` bytes); returns the manifest digest. */
export async function pushSmall(where: Where, repo: string, tag: string, size = 4096): Promise<string> {
  const layer = randomBytes(size)
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(layer)] } }))
  for (const blob of [layer, config]) {
    const r = await request({ ...where, method: 'POST', path: `/v2/${repo}/blobs/uploads/?digest=${digestOf(blob)}`, body: blob, headers: { 'content-type': 'application/octet-stream' } })
    if (r.status !== 201) throw new Error(`blob upload to ${where.host}/${repo}: ${r.status} ${r.body.toString()}`)
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer), size: layer.length }],
    }),
  )
  const r = await request({ ...where, method: 'PUT', path: `/v2/${repo}/manifests/${tag}`, body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })
  if (r.status !== 201) throw new Error(`manifest put to ${where.host}/${repo}: ${r.status} ${r.body.toString()}`)
  return digestOf(manifest)
}

export async function catalog(where: Where): Promise<string[]> {
  const r = await request({ ...where, path: '/v2/_catalog' })
  if (r.status !== 200) throw new Error(`catalog on ${where.host}: ${r.status}`)
  return r.json<{ repositories: string[] }>().repositories
}

/** Status of `GET /v2/` on a host (421 = no such vhost). */
export async function ping(where: Where): Promise<number> {
  return (await request({ ...where, path: '/v2/' })).status
}
