// A small OCI image laid out on disk (an OCI image layout), built by the test itself: no network.
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export interface Layout {
  readonly dir: string
  readonly tag: string
  readonly manifestDigest: string
  readonly layerDigests: string[]
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

function putBlob(dir: string, bytes: Buffer): string {
  const digest = sha256(bytes)
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes)
  return digest
}

/** An image of `layers` gzipped tar layers, each holding one file of `size` random bytes. */
export function buildLayout(dir: string, tag = 'demo', layers = 2, size = 256 * 1024): Layout {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  const layerDescs: Array<{ mediaType: string; digest: string; size: number }> = []
  const diffIds: string[] = []
  for (let i = 0; i < layers; i++) {
    const src = join(dir, `.src${i}`)
    mkdirSync(src, { recursive: true })
    writeFileSync(join(src, `file${i}.bin`), randomBytes(size))
    const tar = execFileSync('tar', ['-C', src, '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '.'], { maxBuffer: 64 << 20 })
    const gz = gzipSync(tar)
    diffIds.push(sha256(tar))
    layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: putBlob(dir, gz), size: gz.length })
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/file0.bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layerDescs.map(() => ({ created_by: 'everlock e2e test' })),
    }),
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: putBlob(dir, config), size: config.length },
      layers: layerDescs,
    }),
  )
  const manifestDigest = putBlob(dir, manifest)
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  )
  return { dir, tag, manifestDigest, layerDigests: layerDescs.map((l) => l.digest) }
}

/** The manifest digest and layer digests of the image in an OCI layout written by skopeo. */
export function readLayout(dir: string): { manifestDigest: string; layerDigests: string[] } {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }
  const manifestDigest = index.manifests[0]!.digest
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> }
  return { manifestDigest, layerDigests: manifest.layers.map((l) => l.digest) }
}
