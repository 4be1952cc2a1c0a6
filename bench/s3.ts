// bench/s3.ts — the s3Blobs driver against the raw AWS SDK, on the same s3rver process, in the same run:
//   blob write MB/s: store.putBlob with the digest known (an OCI push: multipart at the digest key) and without it
//   (streamed to a data key, linked from the digest key once verified) vs lib-storage's Upload of the same bytes with the same part size and queue;
//   blob read MB/s: store.getBlob vs a raw GetObject of the same object;
//   RSS growth of this process while s3Blobs moves the blob in and out (the bar: < 64 MiB for 1 GiB).
// Run: pnpm build && pnpm --filter @everlock/bench bench:s3 [-- --quick]   (quick: 128 MiB, 1 round; full: 1 GiB, 3 rounds)
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { generateBlob } from './lib/gen.js'
import { drain, figure as f, load, MiB, openS3Bench, timed, timedWithRss, writeResults } from './lib/s3-bench.js'
import { median } from './lib/table.js'

const quick = process.argv.includes('--quick')
const SIZE = Number(process.env.EVERLOCK_BENCH_S3_MB ?? (quick ? 128 : 1024)) * MiB
const ROUNDS = Number(process.env.EVERLOCK_BENCH_S3_ROUNDS ?? (quick ? 1 : 3))
const PART = 8 * MiB
const QUEUE = 4

const loadAtStart = load()
const bench = await openS3Bench({ partSize: PART, queueSize: QUEUE })
const { client, bucket, store } = bench
const samples: Record<string, number[]> = {}
const add = (key: string, value: number): void => void (samples[key] ??= []).push(value)

async function rawRead(key: string): Promise<number> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return drain(res.Body as AsyncIterable<Uint8Array>)
}

try {
  const mb = SIZE / MiB
  for (let round = 0; round < ROUNDS; round++) {
    // a fresh blob each round, so nothing is de-duplicated away; the same bytes for both sides
    const blob = generateBlob(SIZE)
    const rawKey = `raw/${round}`
    add('write.raw', mb / (await timed(() => bench.rawUpload(rawKey, blob.stream()))))
    const write = await timedWithRss(() => store.putBlob(blob.stream(), { digest: blob.digest, size: blob.size }))
    add('write.known', mb / write.seconds)
    add('rss.write', write.rss / MiB)
    add('read.raw', mb / (await timed(() => rawRead(rawKey))))
    const read = await timedWithRss(async () => drain(await store.getBlob(blob.digest)))
    add('read.s3Blobs', mb / read.seconds)
    add('rss.read', read.rss / MiB)
    // digest unknown: streamed to a data key, then linked from its digest key (a second blob, or the HEAD would find the first)
    const other = generateBlob(SIZE)
    add('write.raw2', mb / (await timed(() => bench.rawUpload(`${rawKey}-b`, other.stream()))))
    add('write.unknown', mb / (await timed(() => store.putBlob(other.stream()))))
    await store.deleteBlob(blob.digest)
    await store.deleteBlob(other.digest)
  }

  const m = (key: string): number => median(samples[key] ?? []) ?? NaN
  const table = [
    ['blob write, digest known (multipart at the digest key)', f(m('write.known')), f(m('write.raw')), (m('write.known') / m('write.raw')).toFixed(2)],
    ['blob write, digest unknown (data key + link)', f(m('write.unknown')), f(m('write.raw2')), (m('write.unknown') / m('write.raw2')).toFixed(2)],
    ['blob read (GetObject stream)', f(m('read.s3Blobs')), f(m('read.raw')), (m('read.s3Blobs') / m('read.raw')).toFixed(2)],
  ]
  const date = new Date().toISOString()
  console.log(`\ns3Blobs vs raw SDK on s3rver — ${date}, ${mb} MiB blobs, ${ROUNDS} round(s), median; parts ${PART / MiB} MiB × ${QUEUE} in flight; load at start ${loadAtStart}`)
  console.log('| what | s3Blobs MB/s | raw SDK MB/s | ratio |\n| --- | --- | --- | --- |')
  for (const row of table) console.log(`| ${row.join(' | ')} |`)
  console.log(`| RSS growth while s3Blobs writes / reads ${mb} MiB | ${f(m('rss.write'))} MiB / ${f(m('rss.read'))} MiB | | bar < 64 MiB |`)
  await writeResults('s3', date, { loadAtStart, quick, sizeMiB: mb, rounds: ROUNDS, partMiB: PART / MiB, queue: QUEUE, samples })
} finally {
  await bench.close()
}
