// One round of every workload against one server. Each figure is handed to `record(key, value)`.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { join } from 'node:path'
import { ab } from './ab.js'
import { generateBlob, type GeneratedBlob } from './gen.js'
import { pushImage, smallImage } from './image.js'
import { mixedLoad } from './mixed.js'
import { OCI_MANIFEST, OciClient } from './oci-client.js'
import { curlPull, curlPush, sampleRss } from './proc.js'
import { benchTls } from './tls.js'
import type { RunningServer } from './servers.js'
import { buildLayout, skopeoPull, skopeoPush } from './skopeo.js'
import { USER, PASSWORD } from './servers.js'
import type { Metric } from './table.js'

export const MiB = 1 << 20

export interface BenchOptions {
  readonly sizes: readonly number[]
  readonly seconds: number
  readonly mixedSeconds: number
  readonly work: string
}

export type Record = (key: string, value: number) => void

export function sizeLabel(size: number): string {
  return size >= 1 << 30 ? `${size / (1 << 30)} GiB` : `${size / MiB} MiB`
}

export function metrics(opts: Pick<BenchOptions, 'sizes'>): Metric[] {
  const list: Metric[] = []
  for (const size of opts.sizes) {
    const s = sizeLabel(size)
    list.push({ key: `push-mono-${size}`, label: `blob push ${s}, monolithic`, unit: 'MB/s', better: 'higher' })
    list.push({ key: `push-chunked-${size}`, label: `blob push ${s}, chunked`, unit: 'MB/s', better: 'higher' })
    list.push({ key: `pull-${size}`, label: `blob pull ${s}`, unit: 'MB/s', better: 'higher' })
  }
  list.push(
    { key: 'manifest-get', label: 'manifest GET, 16 conn', unit: 'req/s', better: 'higher' },
    { key: 'manifest-head', label: 'manifest HEAD, 16 conn', unit: 'req/s', better: 'higher' },
    { key: 'manifest-get-p99', label: 'manifest GET p99', unit: 'ms', better: 'lower' },
    { key: 'tags-list', label: 'tags list, 16 conn', unit: 'req/s', better: 'higher' },
    { key: 'catalog', label: 'catalog, 16 conn', unit: 'req/s', better: 'higher' },
    { key: 'mixed-ops', label: 'mixed 75/25, 10 clients', unit: 'ops/s', better: 'higher' },
    { key: 'mixed-pull-p50', label: 'mixed: pull p50', unit: 'ms', better: 'lower' },
    { key: 'mixed-pull-p99', label: 'mixed: pull p99', unit: 'ms', better: 'lower' },
    { key: 'mixed-push-p50', label: 'mixed: push p50', unit: 'ms', better: 'lower' },
    { key: 'mixed-push-p99', label: 'mixed: push p99', unit: 'ms', better: 'lower' },
    { key: 'skopeo-push', label: 'skopeo copy push, 5 layers', unit: 'ms', better: 'lower' },
    { key: 'skopeo-pull', label: 'skopeo copy pull, 5 layers', unit: 'ms', better: 'lower' },
    { key: 'rss-peak', label: 'peak RSS moving the largest blob', unit: 'MiB', better: 'lower' },
    { key: 'rss-growth', label: 'RSS growth moving the largest blob', unit: 'MiB', better: 'lower' },
    { key: 'commits-per-push', label: 'store commits per image push', unit: 'commits', better: 'lower' },
  )
  return list
}

const mbps = (size: number, ms: number) => size / 1e6 / (ms / 1000)

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

export async function blobRound(server: RunningServer, blobs: Map<number, GeneratedBlob[]>, round: number, opts: BenchOptions, record: Record): Promise<void> {
  const client = OciClient.basic(server.base, USER, PASSWORD)
  const repo = `bench/blobs${round}`
  const largest = Math.max(...opts.sizes)
  try {
    for (const size of opts.sizes) {
      const [mono, chunked] = blobs.get(size)!
      const rss = size === largest ? sampleRss(server.child.pid!) : undefined
      record(`push-mono-${size}`, benchTls() ? await pushWithCurl(client, server.base, repo, mono!, opts.work) : mbps(size, await timed(() => client.pushMonolithic(repo, mono!))))
      const chunk = size <= MiB ? 256 * 1024 : 16 * MiB
      record(`push-chunked-${size}`, mbps(size, await timed(() => client.pushChunked(repo, chunked!, chunk))))
      const pulled = await curlPull(server.base, repo, mono!.digest)
      if (pulled.size !== size) throw new Error(`${server.name}: pulled ${pulled.size} bytes of ${size}`)
      record(`pull-${size}`, mbps(size, pulled.ms))
      if (rss) {
        const { baseline, peak } = rss.stop()
        record('rss-peak', peak / MiB)
        record('rss-growth', (peak - baseline) / MiB)
      }
    }
  } finally {
    client.close()
  }
}

/** --https: the monolithic push sent by curl from a file written beforehand (not timed); MB/s. */
async function pushWithCurl(client: OciClient, base: string, repo: string, blob: GeneratedBlob, work: string): Promise<number> {
  const file = join(work, `push-${blob.digest.slice(7, 19)}.bin`)
  await pipeline(blob.stream(), createWriteStream(file))
  try {
    const path = await client.startUpload(repo, blob.digest)
    return mbps(blob.size, (await curlPush(base, path, file)).ms)
  } finally {
    rmSync(file, { force: true })
  }
}

export async function requestRound(server: RunningServer, round: number, opts: BenchOptions, record: Record): Promise<void> {
  const client = OciClient.basic(server.base, USER, PASSWORD)
  const repo = `bench/img${round}`
  const seed = smallImage(1, MiB)
  try {
    await pushImage(client, repo, 'seed', seed)
    for (let i = 0; i < 20; i++) await client.putManifest(repo, `t${i}`, seed.manifest, OCI_MANIFEST)
    const headers = { authorization: client.auth!, accept: OCI_MANIFEST }
    const get = await ab(`${server.base}/v2/${repo}/manifests/seed`, { headers, seconds: opts.seconds })
    const head = await ab(`${server.base}/v2/${repo}/manifests/seed`, { headers, head: true, seconds: opts.seconds })
    const tags = await ab(`${server.base}/v2/${repo}/tags/list`, { headers, seconds: opts.seconds })
    const catalog = await ab(`${server.base}/v2/_catalog`, { headers, seconds: opts.seconds })
    for (const [name, r] of Object.entries({ get, head, tags, catalog })) {
      if (r.non2xx > 0) throw new Error(`${server.name} ${name}: ${r.non2xx} non-2xx answers of ${r.requests}`)
    }
    record('manifest-get', get.rps)
    record('manifest-head', head.rps)
    record('manifest-get-p99', get.p99ms)
    record('tags-list', tags.rps)
    record('catalog', catalog.rps)
    const mixed = await mixedLoad(() => OciClient.basic(server.base, USER, PASSWORD), { repo, seed, clients: 10, seconds: opts.mixedSeconds })
    if (mixed.errors > 0) throw new Error(`${server.name} mixed load: ${mixed.errors} failed operations`)
    record('mixed-ops', mixed.opsPerSec)
    record('mixed-pull-p50', mixed.pullP50ms)
    record('mixed-pull-p99', mixed.pullP99ms)
    record('mixed-push-p50', mixed.pushP50ms)
    record('mixed-push-p99', mixed.pushP99ms)
  } finally {
    client.close()
  }
}

/** skopeo push then pull of a fresh 5-layer image; returns the repository it pushed to. */
export async function skopeoRound(server: RunningServer, round: number, opts: BenchOptions, record: Record): Promise<string> {
  const dir = join(opts.work, `skopeo-${server.name}-${round}`)
  mkdirSync(dir, { recursive: true })
  const host = new URL(server.base).host
  const repo = `bench/skopeo${round}`
  try {
    await buildLayout(join(dir, 'src'), dir, 'v1')
    const creds = `${USER}:${PASSWORD}`
    record('skopeo-push', await skopeoPush(join(dir, 'src'), 'v1', `${host}/${repo}:v1`, creds))
    record('skopeo-pull', await skopeoPull(`${host}/${repo}:v1`, creds, join(dir, 'dst'), 'v1'))
    return repo
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function makeBlobs(sizes: readonly number[]): Map<number, GeneratedBlob[]> {
  return new Map(sizes.map((size) => [size, [generateBlob(size), generateBlob(size)]]))
}
