import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { writeBodyDurably } from '../src/pipelined-write'

const KiB = 1024
const MiB = 1024 * KiB

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vs-pipe-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The real file handle, watched: how many writev/datasync calls run at once, optionally slowed down. */
function watched(fh: FileHandle, delayMs = 0) {
  const seen = { writes: 0, maxWrites: 0, syncs: 0, maxSyncs: 0, datasyncs: 0, written: 0 }
  const handle = new Proxy(fh, {
    get(target, key) {
      if (key === 'writev') {
        return async (buffers: Uint8Array[], position: number) => {
          seen.maxWrites = Math.max(seen.maxWrites, ++seen.writes)
          try {
            if (delayMs) await sleep(delayMs)
            const result = await target.writev(buffers, position)
            seen.written += result.bytesWritten
            return result
          } finally {
            seen.writes--
          }
        }
      }
      if (key === 'datasync') {
        return async () => {
          seen.datasyncs++
          seen.maxSyncs = Math.max(seen.maxSyncs, ++seen.syncs)
          try {
            return await target.datasync()
          } finally {
            seen.syncs--
          }
        }
      }
      const value = Reflect.get(target, key) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  return { handle, seen }
}

const sha256 = (data: Uint8Array | Uint8Array[]): string => {
  const hash = createHash('sha256')
  for (const part of Array.isArray(data) ? data : [data]) hash.update(part)
  return hash.digest('hex')
}

async function writeFileFrom(chunks: Uint8Array[], options: Parameters<typeof writeBodyDurably>[2] = {}) {
  const path = join(dir, 'out')
  const fh = await open(path, 'w')
  const hash = createHash('sha256')
  try {
    const size = await writeBodyDurably(fh, Readable.from(chunks), { ...options, onChunk: (c) => hash.update(c) })
    return { path, size, digest: hash.digest('hex') }
  } finally {
    await fh.close()
  }
}

test('many tiny chunks arrive as exactly the same bytes and digest', async () => {
  const chunks = Array.from({ length: 20_000 }, (_, i) => randomBytes(1 + (i % 97)))
  for (const options of [{}, { batchBytes: 4 * KiB, maxInFlight: 3 }]) {
    const { path, size, digest } = await writeFileFrom(chunks, options)
    const bytes = await readFile(path)
    expect(size).toBe(bytes.length)
    expect(bytes.length).toBe(chunks.reduce((n, c) => n + c.length, 0))
    expect(sha256(bytes)).toBe(sha256(chunks))
    expect(digest).toBe(sha256(chunks))
  }
})

test('chunks larger than a batch, empty chunks and a start position give exactly the expected file', async () => {
  const path = join(dir, 'appended')
  const prefix = randomBytes(1000)
  await writeFile(path, prefix)
  const chunks = [randomBytes(5 * MiB + 3), new Uint8Array(0), randomBytes(7), randomBytes(3 * MiB)]
  const fh = await open(path, 'r+')
  const size = await writeBodyDurably(fh, Readable.from(chunks), { position: prefix.length, batchBytes: MiB, syncEveryBytes: MiB })
  await fh.close()
  const bytes = await readFile(path)
  expect(size).toBe(8 * MiB + 10)
  expect(bytes.length).toBe(prefix.length + size)
  expect(sha256(bytes)).toBe(sha256([prefix, ...chunks]))
})

test('writes in flight stay bounded and the body is not read ahead when the disk is slow', async () => {
  const fh = await open(join(dir, 'slow'), 'w')
  const { handle, seen } = watched(fh, 5)
  const chunk = 64 * KiB
  let pulled = 0
  let maxAhead = 0
  async function* body() {
    for (let i = 0; i < 256; i++) {
      maxAhead = Math.max(maxAhead, pulled - seen.written)
      pulled += chunk
      yield Buffer.alloc(chunk, i)
    }
  }
  try {
    const size = await writeBodyDurably(handle, body(), { batchBytes: 256 * KiB, maxInFlight: 3, syncEveryBytes: 2 * MiB })
    expect(size).toBe(16 * MiB)
  } finally {
    await fh.close()
  }
  expect(seen.maxWrites).toBe(3) // the pipeline is used, and never wider
  expect(maxAhead).toBeLessThanOrEqual(256 * KiB * 4 + chunk) // 3 batches in flight, one being gathered
  expect(seen.datasyncs).toBeGreaterThan(0) // writeback started early
  expect(seen.maxSyncs).toBe(1)
  expect((await stat(join(dir, 'slow'))).size).toBe(16 * MiB)
})

test('a body failing mid-way rejects with its error only after every write has finished', async () => {
  const fh = await open(join(dir, 'broken'), 'w')
  const { handle, seen } = watched(fh, 5)
  async function* body() {
    for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * KiB, i)
    throw Object.assign(new Error('client went away'), { code: 'ECONNRESET' })
  }
  try {
    await expect(writeBodyDurably(handle, body(), { batchBytes: 128 * KiB, maxInFlight: 4 })).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(seen.writes).toBe(0)
    expect(seen.syncs).toBe(0)
  } finally {
    await fh.close()
  }
})

test('a failing write stops reading the body and rejects with the write error (no unhandled rejection)', async () => {
  const path = join(dir, 'readonly')
  await writeFile(path, '')
  const fh = await open(path, 'r') // writev fails with EBADF
  let pulled = 0
  let finished = false
  async function* body() {
    try {
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield Buffer.alloc(64 * KiB)
      }
    } finally {
      finished = true
    }
  }
  try {
    await expect(writeBodyDurably(fh, body(), { batchBytes: 64 * KiB, maxInFlight: 2 })).rejects.toMatchObject({ code: 'EBADF' })
  } finally {
    await fh.close()
  }
  expect(finished).toBe(true) // the body was told to stop
  expect(pulled).toBeLessThan(1000)
})

test('a failed putBlob leaves no temp file and a failed append truncates back to the old size', async () => {
  const stores = await openStores({ dir: join(dir, 'data') })
  try {
    const store = await stores.open('pipe')
    async function* failing() {
      for (let i = 0; i < 50; i++) yield randomBytes(100 * KiB)
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
    }
    await expect(store.putBlob(Readable.from(failing()))).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(await readdir(join(dir, 'data', 'stores', 'pipe', 'blobs', 'tmp'))).toEqual([])

    const upload = await store.uploads.create()
    const first = [randomBytes(3 * MiB + 5), randomBytes(11)]
    expect((await store.uploads.append(upload.id, Readable.from(first))).size).toBe(3 * MiB + 16)
    await expect(store.uploads.append(upload.id, Readable.from(failing()))).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect((await store.uploads.status(upload.id))?.size).toBe(3 * MiB + 16)
    const second = [randomBytes(2 * MiB), randomBytes(1)]
    await store.uploads.append(upload.id, Readable.from(second), { offset: 3 * MiB + 16 })
    const ref = await store.uploads.complete(upload.id)
    expect(ref).toEqual({ digest: `sha256:${sha256([...first, ...second])}`, size: 5 * MiB + 17 })
  } finally {
    await stores.close()
  }
})
