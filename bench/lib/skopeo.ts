// A 5-layer OCI image layout built on disk (real tar layers, no network) and `skopeo copy` both ways.
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { benchTls } from './tls.js'

const run = promisify(execFile)

function digestOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function writeBlob(layout: string, data: Buffer): string {
  const hex = digestOf(data)
  writeFileSync(join(layout, 'blobs/sha256', hex), data)
  return `sha256:${hex}`
}

/** Builds `layout` (an OCI image layout with tag `tag`) of `layers` tar layers of about `layerSize` bytes. */
export async function buildLayout(layout: string, work: string, tag: string, layers = 5, layerSize = 4 << 20): Promise<void> {
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true })
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const descriptors: Array<{ mediaType: string; digest: string; size: number }> = []
  for (let i = 0; i < layers; i++) {
    const src = join(work, `layer${i}`)
    mkdirSync(src, { recursive: true })
    writeFileSync(join(src, `file${i}.bin`), randomBytes(layerSize))
    const tar = join(work, `layer${i}.tar`)
    await run('tar', ['-C', src, '-cf', tar, '.'])
    const data = readFileSync(tar)
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: writeBlob(layout, data), size: data.length })
    rmSync(src, { recursive: true })
    rmSync(tar)
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/file0.bin'] },
      rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.digest) },
    }),
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: writeBlob(layout, config), size: config.length },
      layers: descriptors,
    }),
  )
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: writeBlob(layout, manifest),
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': tag },
      },
    ],
  }
  writeFileSync(join(layout, 'index.json.tmp'), JSON.stringify(index))
  renameSync(join(layout, 'index.json.tmp'), join(layout, 'index.json'))
}

/** Plain HTTP: no TLS to verify; --https: the run's CA, verified. */
function trust(side: 'src' | 'dest'): string[] {
  const tls = benchTls()
  return tls ? [`--${side}-cert-dir`, tls.certDir] : [`--${side}-tls-verify=false`]
}

const common = ['--insecure-policy', 'copy', '--quiet', '--retry-times', '0']

export async function skopeoPush(layout: string, tag: string, dest: string, creds: string): Promise<number> {
  const t0 = performance.now()
  await run('skopeo', [...common, ...trust('dest'), '--dest-creds', creds, `oci:${layout}:${tag}`, `docker://${dest}`])
  return performance.now() - t0
}

export async function skopeoPull(src: string, creds: string, layout: string, tag: string): Promise<number> {
  const t0 = performance.now()
  await run('skopeo', [...common, ...trust('src'), '--src-creds', creds, `docker://${src}`, `oci:${layout}:${tag}`])
  return performance.now() - t0
}
