import { sha256 } from './image'

export interface Reply {
  status: number
  headers: Headers
  text: string
  json(): any
}

/** A tiny OCI HTTP client over fetch, for protocol tests. */
export function client(base: string, defaults: Record<string, string> = {}) {
  async function req(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(base + path, { method, headers: { ...defaults, ...headers }, ...(body !== undefined ? { body } : {}), redirect: 'manual' })
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
  }
  return {
    req,
    /** Push a blob monolithically; returns its digest. */
    async pushBlob(name: string, data: Buffer | string): Promise<string> {
      const digest = sha256(data)
      const r = await req('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, data, { 'Content-Type': 'application/octet-stream' })
      if (r.status !== 201) throw new Error(`push blob: ${r.status} ${r.text}`)
      return digest
    },
    /** Push an image manifest naming config + layers (pushed first); returns its digest and body. */
    async pushImage(name: string, tag: string, layers: string[] = ['layer'], extra: Record<string, unknown> = {}) {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag, layers }))
      const configDigest = await this.pushBlob(name, config)
      const layerDescs = []
      for (const l of layers) {
        const data = Buffer.from(l)
        layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await this.pushBlob(name, data), size: data.length })
      }
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: layerDescs,
        ...extra,
      })
      const r = await req('PUT', `/v2/${name}/manifests/${tag}`, manifest, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
      if (r.status !== 201) throw new Error(`push manifest: ${r.status} ${r.text}`)
      return { digest: sha256(manifest), body: manifest, size: Buffer.byteLength(manifest), reply: r }
    },
  }
}

export const errorCode = (r: Reply): string | undefined => (r.text ? r.json().errors?.[0]?.code : undefined)
