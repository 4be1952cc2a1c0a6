// What the S3 benches share: one s3rver process with a bucket and a store on s3Blobs, the raw SDK peer
// (lib-storage's Upload with the store's part size and queue), and the measuring (time, RSS growth, results file).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { openStores, type Store, type Stores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'

export const MiB = 1024 * 1024

export interface S3Bench {
  readonly server: S3rver
  readonly client: S3Client
  readonly bucket: string
  readonly store: Store
  /** The driver keeps resumable uploads in the bucket (issue 14); otherwise they are local files until complete. */
  readonly uploadsInBucket: boolean
  /** lib-storage's Upload of `body` to `key`, with the store's part size and queue. */
  rawUpload(key: string, body: Readable): Promise<unknown>
  close(): Promise<void>
}

/** s3rver on loopback, bucket `bench`, store `bench` on s3Blobs under `bench/` (parts of `partSize`, `queueSize` in flight). */
export async function openS3Bench(opts: { partSize: number; queueSize: number }): Promise<S3Bench> {
  const bucket = 'bench'
  const server = await startS3rver()
  const dir = await mkdtemp(join(tmpdir(), 'everlock-bench-s3-'))
  let stores: Stores | undefined
  let uploadsInBucket = false
  const close = async (): Promise<void> => {
    await stores?.close()
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await server.createBucket(bucket)
    const client = server.client()
    stores = await openStores({
      dir,
      blobDriver: (name) => {
        const driver = s3Blobs({ client, bucket, prefix: `${name}/`, ...opts })
        uploadsInBucket = 'resumable' in driver && driver.resumable !== undefined
        return driver
      },
    })
    const store = await stores.open('bench')
    return {
      server,
      client,
      bucket,
      store,
      uploadsInBucket,
      rawUpload: (key, body) => new Upload({ client, params: { Bucket: bucket, Key: key, Body: body }, ...opts }).done(),
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Peak RSS above the level at the start while fn runs, sampled every 10 ms. */
export async function rssGrowth(fn: () => Promise<unknown>): Promise<number> {
  global.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  try {
    await fn()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, process.memoryUsage().rss) - base
}

/** Seconds fn takes and the RSS growth while it runs. */
export async function timedWithRss(fn: () => Promise<unknown>): Promise<{ seconds: number; rss: number }> {
  let rss = 0
  const seconds = await timed(async () => (rss = await rssGrowth(fn)))
  return { seconds, rss }
}

export async function drain(body: AsyncIterable<unknown>): Promise<number> {
  let n = 0
  for await (const chunk of body) n += (chunk as Uint8Array).length
  return n
}

/** The 1/5/15-minute load averages, for the figures' header (other work on the machine skews them). */
export const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ')

/** A figure for the tables: no decimals from 100 on, one below. */
export const figure = (n: number): string => n.toFixed(n >= 100 ? 0 : 1)

/** Writes `results/<name>-<date>.json` next to the benches. */
export async function writeResults(name: string, date: string, data: object): Promise<void> {
  const results = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')
  await mkdir(results, { recursive: true })
  await writeFile(join(results, `${name}-${date.replace(/[:.]/g, '-')}.json`), JSON.stringify({ date, ...data }, null, 2) + '\n')
}
