import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { generatedBytes } from '@everlock/versioned-storage/testing'

const MiB = 1024 * 1024
const TOTAL = 256 * MiB

test('a 256 MiB blob streams in and out without memory growing with its size', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-mem-'))
  const stores = await openStores({ dir })
  try {
    const store = await stores.open('mem')
    // Warm-up with a blob a quarter of the size: the streaming code paths load and the heap and the file streams'
    // buffers reach their working size, a fixed cost. What is measured next is whether memory grows with the
    // blob's size (cold, the fixed cost alone came to 65 MiB once on a loaded CI machine).
    const warm = await store.putBlob(generatedBytes(TOTAL / 4, { fill: 3 }))
    for await (const chunk of await store.getBlob(warm.digest)) void chunk
    global.gc?.()
    const base = process.memoryUsage().rss
    let peak = base
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const hash = createHash('sha256')
    const ref = await store.putBlob(generatedBytes(TOTAL, { onChunk: (c) => hash.update(c) }))
    expect(ref).toEqual({ digest: `sha256:${hash.digest('hex')}`, size: TOTAL })
    let read = 0
    for await (const chunk of await store.getBlob(ref.digest)) read += (chunk as Buffer).length
    clearInterval(sample)
    expect(read).toBe(TOTAL)
    console.info(`fs memory: RSS grew ${((peak - base) / MiB).toFixed(1)} MiB moving ${TOTAL / MiB} MiB in and out`)
    expect(peak - base).toBeLessThan(64 * MiB)
  } finally {
    await stores.close()
    await rm(dir, { recursive: true, force: true })
  }
})
