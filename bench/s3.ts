// bench/s3.ts — the s3Blobs driver against the raw AWS SDK, on the same s3rver process, in the same run:
//   blob write MB/s: store.putBlob with the digest known (an OCI push: multipart at the digest key) and without it
//   (staging key + server-side copy) vs lib-storage's Upload of the same bytes with the same part size and queue;
//   blob read MB/s: store.getBlob vs a raw GetObject of the same object;
//   RSS growth of this process while s3Blobs moves the blob in and out (the bar: < 64 MiB for 1 GiB).
// Run: pnpm build && pnpm --filter @everlock/bench bench:s3 [-- --quick]   (quick: 128 MiB, 1 round; full: 1 GiB, 3 rounds)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { openStores, type Store } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver } from '@everlock/versioned-storage/s3rver'
import { generateBlob, type GeneratedBlob } from './lib/gen.js'
import { median } from './lib/table.js'

const MiB = 1024 * 1024
const quick = process.argv.includes('--quick')
const SIZE = Number(process.env.EVERLOCK_BENCH_S3_MB ?? (quick ? 128 : 1024)) * MiB
const ROUNDS = Number(process.env.EVERLOCK_BENCH_S3_ROUNDS ?? (quick ? 1 : 3))
const PART = 8 * MiB
const QUEUE = 4
const BUCKET = 'bench'

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Peak RSS above the level at the start while fn runs, sampled every 10 ms. */
async function rssGrowth(fn: () => Promise<unknown>): Promise<number> {
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

async function drain(body: AsyncIterable<unknown>): Promise<number> {
  let n = 0
  for await (const chunk of body) n += (chunk as Uint8Array).length
  return n
}

function rawUpload(client: S3Client, key: string, blob: GeneratedBlob): Promise<unknown> {
  return new Upload({ client, params: { Bucket: BUCKET, Key: key, Body: blob.stream() }, partSize: PART, queueSize: QUEUE }).done()
}

async function rawRead(client: S3Client, key: string): Promise<number> {
  const res = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return drain(res.Body as AsyncIterable<Uint8Array>)
}

const server = await startS3rver()
const dir = await mkdtemp(join(tmpdir(), 'everlock-bench-s3-'))
const samples: Record<string, number[]> = {}
const add = (key: string, value: number): void => void (samples[key] ??= []).push(value)
try {
  await server.createBucket(BUCKET)
  const client = server.client()
  const stores = await openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: BUCKET, prefix: `${name}/`, partSize: PART, queueSize: QUEUE }) })
  let store: Store = await stores.open('bench')
  const mb = SIZE / MiB
  for (let round = 0; round < ROUNDS; round++) {
    // a fresh blob each round, so nothing is de-duplicated away; the same bytes for both sides
    const blob = generateBlob(SIZE)
    const rawKey = `raw/${round}`
    add('write.raw', mb / (await timed(() => rawUpload(client, rawKey, blob))))
    let growth = 0
    const known = await timed(async () => (growth = await rssGrowth(() => store.putBlob(blob.stream(), { digest: blob.digest, size: blob.size }))))
    add('write.known', mb / known)
    add('rss.write', growth / MiB)
    add('read.raw', mb / (await timed(() => rawRead(client, rawKey))))
    const read = await timed(async () => (growth = await rssGrowth(async () => drain(await store.getBlob(blob.digest)))))
    add('read.s3Blobs', mb / read)
    add('rss.read', growth / MiB)
    // digest unknown: staged, then copied under it (a second blob, or the HEAD would find the first)
    const other = generateBlob(SIZE)
    add('write.raw2', mb / (await timed(() => rawUpload(client, `${rawKey}-b`, other))))
    add('write.unknown', mb / (await timed(() => store.putBlob(other.stream()))))
    await store.deleteBlob(blob.digest)
    await store.deleteBlob(other.digest)
  }
  await stores.close()
  store = undefined as never

  const m = (key: string): number => median(samples[key] ?? []) ?? NaN
  const f = (n: number): string => n.toFixed(n >= 100 ? 0 : 1)
  const table = [
    ['blob write, digest known (multipart at the digest key)', f(m('write.known')), f(m('write.raw')), (m('write.known') / m('write.raw')).toFixed(2)],
    ['blob write, digest unknown (staging + CopyObject)', f(m('write.unknown')), f(m('write.raw2')), (m('write.unknown') / m('write.raw2')).toFixed(2)],
    ['blob read (GetObject stream)', f(m('read.s3Blobs')), f(m('read.raw')), (m('read.s3Blobs') / m('read.raw')).toFixed(2)],
  ]
  const date = new Date().toISOString()
  console.log(`\ns3Blobs vs raw SDK on s3rver — ${date}, ${mb} MiB blobs, ${ROUNDS} round(s), median; parts ${PART / MiB} MiB × ${QUEUE} in flight`)
  console.log('| what | s3Blobs MB/s | raw SDK MB/s | ratio |\n| --- | --- | --- | --- |')
  for (const row of table) console.log(`| ${row.join(' | ')} |`)
  console.log(`| RSS growth while s3Blobs writes / reads ${mb} MiB | ${f(m('rss.write'))} MiB / ${f(m('rss.read'))} MiB | | bar < 64 MiB |`)
  const results = join(dirname(fileURLToPath(import.meta.url)), 'results')
  await mkdir(results, { recursive: true })
  await writeFile(join(results, `s3-${date.replace(/[:.]/g, '-')}.json`), JSON.stringify({ date, quick, sizeMiB: mb, rounds: ROUNDS, partMiB: PART / MiB, queue: QUEUE, samples }, null, 2) + '\n')
} finally {
  await server.stop()
  await rm(dir, { recursive: true, force: true })
}
