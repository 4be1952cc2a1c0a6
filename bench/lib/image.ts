// Builds small OCI images in memory (config + layers + manifest) and pushes them through OciClient.
import { randomBytes } from 'node:crypto'
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, type OciClient } from './oci-client.js'
import { sha256 } from './gen.js'

export interface SmallImage {
  readonly config: { data: Buffer; digest: string }
  readonly layers: ReadonlyArray<{ data: Buffer; digest: string }>
  readonly manifest: Buffer
  readonly digest: string
}

export function smallImage(layerCount: number, layerSize: number): SmallImage {
  const layers = Array.from({ length: layerCount }, () => {
    const data = randomBytes(layerSize)
    return { data, digest: sha256(data) }
  })
  const configData = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  )
  const config = { data: configData, digest: sha256(configData) }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.data.length })),
    }),
  )
  return { config, layers, manifest, digest: sha256(manifest) }
}

export async function pushImage(client: OciClient, repo: string, tag: string, image: SmallImage): Promise<void> {
  for (const layer of image.layers) await client.pushSmall(repo, layer.data, layer.digest)
  await client.pushSmall(repo, image.config.data, image.config.digest)
  await client.putManifest(repo, tag, image.manifest, OCI_MANIFEST)
}
