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
    expect(peak - base).toBeLessThan(64 * MiB)
  } finally {
    await stores.close()
    await rm(dir, { recursive: true, force: true })
  }
})
