import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver } from '@everlock/versioned-storage/s3rver'
import { generatedBytes } from '@everlock/versioned-storage/testing'

const MiB = 1024 * 1024
const TOTAL = Number(process.env.EVERLOCK_S3_MEM_MB ?? 256) * MiB

test('s3: a 256 MiB blob streams to the bucket and back without memory growing with its size', async () => {
  const server = await startS3rver()
  const dir = await mkdtemp(join(tmpdir(), 'vs-s3-mem-'))
  try {
    await server.createBucket('mem')
    const client = server.client()
    const stores = await openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: 'mem', prefix: `${name}/` }) })
    const store = await stores.open('mem')
    // Warm-up with a blob a quarter of the size: the SDK's code loads, the driver's part buffers ((queueSize + 1) ×
    // partSize, a fixed cost) are allocated and the heap reaches its working size. What is measured next is
    // whether memory grows with the blob's size.
    const warm = await store.putBlob(generatedBytes(TOTAL / 4, { fill: 3 }))
    for await (const chunk of await store.getBlob(warm.digest)) void chunk
    global.gc?.()
    const base = process.memoryUsage().rss
    let peak = base
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const ref = await store.putBlob(generatedBytes(TOTAL, { fill: 3 })) // digest unknown: parts to a data key, then linked from the digest key (read back through the link)
    const hash = createHash('sha256')
    let read = 0
    for await (const chunk of await store.getBlob(ref.digest)) {
      hash.update(chunk as Buffer)
      read += (chunk as Buffer).length
    }
    clearInterval(sample)
    expect(read).toBe(TOTAL)
    expect(`sha256:${hash.digest('hex')}`).toBe(ref.digest)
    console.info(`s3 memory: RSS grew ${((peak - base) / MiB).toFixed(1)} MiB moving ${TOTAL / MiB} MiB in and out`)
    expect(peak - base).toBeLessThan(64 * MiB)
    await stores.close()
  } finally {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}, 180_000)
