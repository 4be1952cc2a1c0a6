import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export interface BuiltImage {
  dir: string
  tag: string
  manifestDigest: string
  layers: string[]
}

async function writeBlob(dir: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(data)
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), data)
  return { digest, size: data.length }
}

/** An OCI image layout made from scratch: `layers` gzip'd tar layers of random files, a config, a manifest. */
export async function buildOciLayout(opts: { layers?: number; layerBytes?: number; tag?: string } = {}): Promise<BuiltImage> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-layout-'))
  const tag = opts.tag ?? 'v1'
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const layerDescs = []
  const diffIds = []
  for (let i = 0; i < (opts.layers ?? 2); i++) {
    const src = await mkdtemp(join(tmpdir(), 'layer-src-'))
    await writeFile(join(src, `file-${i}.bin`), randomBytes(opts.layerBytes ?? 4096))
    const tar = execFileSync('tar', ['-C', src, '-cf', '-', '.'], { maxBuffer: 1 << 30 })
    diffIds.push(sha256(tar))
    const gz = execFileSync('gzip', ['-n', '-c'], { input: tar, maxBuffer: 1 << 30 })
    layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...(await writeBlob(dir, gz)) })
  }
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }),
  )
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', ...(await writeBlob(dir, config)) }
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: layerDescs }))
  const manifestDesc = await writeBlob(dir, manifest)
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifestDesc, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  )
  return { dir, tag, manifestDigest: manifestDesc.digest, layers: layerDescs.map((l) => l.digest) }
}

/** The manifest digest an OCI layout's index names for a tag. */
export async function layoutManifestDigest(dir: string): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }
  return index.manifests[0]!.digest
}
