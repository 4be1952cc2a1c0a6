// bench/s3-uploads.ts — resumable uploads on s3Blobs (issue 14) against the raw AWS SDK, on the same s3rver process,
// in the same run:
//   chunked upload MB/s: store.uploads create → append per chunk (16 MiB, and 1 MiB) → complete with the digest
//   known (an OCI chunked push) vs lib-storage's Upload of the same bytes as one stream (same part size and queue);
//   RSS growth of this process during the chunked upload (the bar: < 64 MiB for 1 GiB).
// Run: pnpm build && pnpm --filter @everlock/bench bench:s3-uploads   (BENCH_S3_UPLOAD_MB, default 1024;
// BENCH_S3_UPLOAD_ROUNDS, default 1)
import type { Store } from '@everlock/versioned-storage'
import { generateBlob, type GeneratedBlob } from './lib/gen.js'
import { figure as f, load, MiB, openS3Bench, timed, timedWithRss, writeResults } from './lib/s3-bench.js'
import { median } from './lib/table.js'

const SIZE = Number(process.env.BENCH_S3_UPLOAD_MB ?? 1024) * MiB
const ROUNDS = Number(process.env.BENCH_S3_UPLOAD_ROUNDS ?? 1)
const CHUNKS = [16 * MiB, 1 * MiB]
const PART = 8 * MiB
const QUEUE = 4

/** One resumable upload of the blob, `chunk` bytes per append (each at its offset), completed with its digest. */
async function chunkedUpload(store: Store, blob: GeneratedBlob, chunk: number): Promise<void> {
  const { id } = await store.uploads.create()
  for (let at = 0; at < blob.size; at += chunk) {
    await store.uploads.append(id, blob.stream(at, Math.min(at + chunk, blob.size)), { offset: at })
  }
  const ref = await store.uploads.complete(id, { digest: blob.digest, size: blob.size })
  if (ref.digest !== blob.digest) throw new Error(`upload completed as ${ref.digest}, expected ${blob.digest}`)
}

const loadAtStart = load()
const bench = await openS3Bench({ partSize: PART, queueSize: QUEUE })
const { store } = bench
const samples: Record<string, number[]> = {}
const add = (key: string, value: number): void => void (samples[key] ??= []).push(value)
try {
  const mb = SIZE / MiB
  for (let round = 0; round < ROUNDS; round++) {
    for (const chunk of CHUNKS) {
      // a fresh blob per case, so nothing is de-duplicated away; the same bytes for both sides
      const blob = generateBlob(SIZE)
      const c = chunk / MiB
      add(`raw.${c}`, mb / (await timed(() => bench.rawUpload(`raw/${round}/${c}`, blob.stream()))))
      const upload = await timedWithRss(() => chunkedUpload(store, blob, chunk))
      add(`uploads.${c}`, mb / upload.seconds)
      add(`rss.${c}`, upload.rss / MiB)
      await store.deleteBlob(blob.digest)
    }
  }

  const m = (key: string): number => median(samples[key] ?? []) ?? NaN
  const date = new Date().toISOString()
  const path = bench.uploadsInBucket ? 'upload bytes in the bucket (driver.resumable)' : 'upload bytes in a local file until complete'
  console.log(`\nstore.uploads vs raw SDK on s3rver — ${date}, ${mb} MiB, ${ROUNDS} round(s), median; parts ${PART / MiB} MiB × ${QUEUE} in flight; ${path}; load at start ${loadAtStart}`)
  console.log('| what | store.uploads MB/s | raw SDK Upload MB/s | ratio | RSS growth |\n| --- | --- | --- | --- | --- |')
  for (const chunk of CHUNKS) {
    const c = chunk / MiB
    console.log(`| chunked upload, ${c} MiB chunks | ${f(m(`uploads.${c}`))} | ${f(m(`raw.${c}`))} | ${(m(`uploads.${c}`) / m(`raw.${c}`)).toFixed(2)} | ${f(m(`rss.${c}`))} MiB (bar < 64) |`)
  }
  await writeResults('s3-uploads', date, { loadAtStart, sizeMiB: mb, rounds: ROUNDS, chunksMiB: CHUNKS.map((c) => c / MiB), partMiB: PART / MiB, queue: QUEUE, uploadsInBucket: bench.uploadsInBucket, samples })
} finally {
  await bench.close()
}
