// Resumable uploads kept in the bucket (s3Blobs' `resumable`), against a real s3rver: chunks of any size in,
// parts of exactly partSize out, the acknowledged size durable across reopening the store, nothing local.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import { openStores, type Store, type Stores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { generatedBytes, readAll } from '@everlock/versioned-storage/testing'
import { startS3rver, S3RVER_CREDENTIALS, type S3rver } from '@everlock/versioned-storage/s3rver'
import { s3Client } from '@everlock/versioned-storage/s3'
import { DELAY_MS, startFaultProxy } from './helpers/fault-proxy'

const MiB = 1024 * 1024
const PART = 5 * MiB
const BUCKET = 'uploads-test'
const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

interface SentPart {
  key: string
  n: number
  size: number
}

let server: S3rver
let client: S3Client
/** Every UploadPart the driver's (real) client sent, seen by a middleware before it goes out. */
const sent: SentPart[] = []
beforeAll(async () => {
  server = await startS3rver()
  await server.createBucket(BUCKET)
  client = server.client()
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UploadPartCommand') {
        const input = args.input as { Key: string; PartNumber: number; ContentLength: number }
        sent.push({ key: input.Key, n: input.PartNumber, size: input.ContentLength })
      }
      return next(args)
    },
    { step: 'initialize', name: 'recordUploadParts' },
  )
})
afterAll(async () => {
  await server?.stop()
})

let n = 0
let dir = ''
let prefix = ''
let stores: Stores
let store: Store
const open = (): Promise<Stores> => openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: BUCKET, prefix: `${prefix}${name}/`, partSize: PART, queueSize: 2, sweepGraceMs: 0 }) })
/** Close the stores and open them again (by default as every test does; `via` another client or options). */
async function reopen(via: () => Promise<Stores> = open): Promise<Store> {
  await stores.close()
  stores = await via()
  store = await stores.open('up')
  return store
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vs-s3-uploads-'))
  prefix = `u${process.pid}-${++n}/`
  stores = await open()
  store = await stores.open('up')
})
afterEach(async () => {
  // Never a local upload file: the bytes live in the bucket.
  expect(existsSync(join(dir, 'stores', 'up', 'uploads'))).toBe(false)
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

const keysOf = (id: string): Promise<string[]> => server.keys(BUCKET, `${prefix}up/uploads/${id}/`)
const blobKeys = (): Promise<string[]> => server.keys(BUCKET, `${prefix}up/sha256/`)

interface SessionRecord {
  size: number
  session?: { size: number; uploadId?: string; parts: { n: number; size: number }[]; segments: { start: number; size: number }[] }
}
const recordOf = async (id: string): Promise<SessionRecord> => JSON.parse((await store.state.get(`upload/${id}`))!) as SessionRecord

/** Append every chunk at its offset; returns the bytes appended, in order. */
async function appendAll(id: string, chunks: Buffer[], from = 0): Promise<Buffer> {
  let offset = from
  for (const chunk of chunks) {
    const status = await store.uploads.append(id, Readable.from([chunk]), { offset })
    offset += chunk.length
    expect(status.size).toBe(offset)
  }
  return Buffer.concat(chunks)
}

/** The parts the driver sent for an upload's multipart key, the last try of each number. */
function partsSent(id: string): SentPart[] {
  const byNumber = new Map<number, SentPart>()
  for (const p of sent) if (p.key.endsWith(`uploads/${id}/data`)) byNumber.set(p.n, p)
  return [...byNumber.values()].sort((a, b) => a.n - b.n)
}

test('many chunks from 7 bytes to 3 MiB across several part boundaries: only parts of exactly partSize but the last, the right digest', async () => {
  const sizes = [1024, 3 * MiB, 7, 65_537, MiB + 1, 2048, 500_000, 1024, 1024, 2 * MiB + 3]
  const chunks = [
    ...Array.from({ length: 200 }, () => randomBytes(1024)), // a run of tiny chunks: merged, never O(n) segments
    ...Array.from({ length: 40 }, (_, i) => randomBytes(sizes[i % sizes.length]!)),
  ]
  const up = await store.uploads.create()
  let offset = 0
  let mostSegments = 0
  for (const chunk of chunks) {
    await store.uploads.append(up.id, Readable.from([chunk]), { offset })
    offset += chunk.length
    const rec = await recordOf(up.id)
    expect(rec.size).toBe(offset)
    const session = rec.session!
    // Every committed part is exactly partSize; the tail is less than one part.
    expect(session.parts.every((p) => p.size === PART)).toBe(true)
    const tail = session.segments.reduce((s, seg) => s + seg.size, 0)
    expect(tail).toBeLessThan(PART)
    expect(session.parts.length * PART + tail).toBe(offset)
    mostSegments = Math.max(mostSegments, session.segments.length)
  }
  const all = Buffer.concat(chunks)
  expect(all.length).toBeGreaterThan(4 * PART)
  expect(mostSegments).toBeGreaterThan(1)
  expect(mostSegments).toBeLessThanOrEqual(16) // 200 × 1 KiB would be 200 segments without merging
  expect(await blobKeys()).toEqual([]) // nothing visible under a digest before complete
  expect(await store.statBlob(sha(all))).toBeUndefined()

  const ref = await store.uploads.complete(up.id, { digest: sha(all), size: all.length })
  expect(ref).toEqual({ digest: sha(all), size: all.length })
  const parts = partsSent(up.id)
  expect(parts.length).toBe(Math.ceil(all.length / PART))
  expect(parts.slice(0, -1).every((p) => p.size === PART)).toBe(true)
  expect(parts.at(-1)!.size).toBe(all.length - (parts.length - 1) * PART)
  expect(sha(await readAll(await store.getBlob(ref.digest)))).toBe(sha(all))
  expect(await keysOf(up.id)).toEqual([]) // session objects removed
  expect(await store.uploads.status(up.id)).toBeUndefined()
}, 120_000)

test('chunks of a MiB are never merged (each PUT once, read once when its part fills); tiny ones merge only below a MiB', async () => {
  const up = await store.uploads.create()
  const chunks = [...Array.from({ length: 4 }, () => randomBytes(MiB)), ...Array.from({ length: 64 }, () => randomBytes(4096))]
  let offset = 0
  for (const chunk of chunks) {
    await store.uploads.append(up.id, Readable.from([chunk]), { offset })
    offset += chunk.length
  }
  const { session } = await recordOf(up.id)
  expect(session!.parts).toEqual([])
  // The four MiB chunks stand as they came; the 64 × 4 KiB after them became a few segments, each under a MiB.
  expect(session!.segments.slice(0, 4)).toEqual([0, 1, 2, 3].map((i) => ({ start: i * MiB, size: MiB })))
  const small = session!.segments.slice(4)
  expect(small.length).toBeGreaterThanOrEqual(1)
  expect(small.length).toBeLessThanOrEqual(7) // log2(64) + 1
  expect(small.every((seg) => seg.size < MiB)).toBe(true)
  expect(small.reduce((n, seg) => n + seg.size, 0)).toBe(64 * 4096)
  const all = Buffer.concat(chunks)
  expect(await store.uploads.complete(up.id, { digest: sha(all), size: all.length })).toEqual({ digest: sha(all), size: all.length })
  expect((await readAll(await store.getBlob(sha(all)))).equals(all)).toBe(true)
})

test('a segment lost from the bucket fails the append that fills its part (UPLOAD_UNKNOWN) only once every read into its part buffer is over; the record stays, the buffers serve the next upload whole', async () => {
  // The read of the first segment is held back, the second is gone: the failure is known long before the
  // first read stops writing into the part buffer, which goes back to the pool when the append answers.
  const proxy = await startFaultProxy(server.port, (req) => (req.method === 'GET' && req.url?.includes(`/seg/0-${MiB}`) ? 'delay' : 'pass'))
  const slow = s3Client({ endpoint: proxy.endpoint, credentials: S3RVER_CREDENTIALS })
  try {
    await reopen(() => openStores({ dir, blobDriver: (name) => s3Blobs({ client: slow, bucket: BUCKET, prefix: `${prefix}${name}/`, partSize: PART, queueSize: 2 }) }))
    const up = await store.uploads.create()
    await appendAll(up.id, Array.from({ length: 4 }, () => randomBytes(MiB)))
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}up/uploads/${up.id}/seg/${MiB}-${2 * MiB}` }))
    const started = Date.now()
    await expect(store.uploads.append(up.id, Readable.from([randomBytes(2 * MiB)]), { offset: 4 * MiB })).rejects.toMatchObject({ code: 'UPLOAD_UNKNOWN' })
    expect(proxy.injected.delay).toBe(1)
    expect(Date.now() - started, 'the append answered while a read was still writing into its buffer').toBeGreaterThanOrEqual(DELAY_MS - 20)
    expect((await recordOf(up.id)).size).toBe(4 * MiB)
    const next = await store.uploads.create()
    const data = await appendAll(next.id, [randomBytes(3 * MiB), randomBytes(3 * MiB), randomBytes(PART + 17)])
    expect(await store.uploads.complete(next.id, { digest: sha(data), size: data.length })).toEqual({ digest: sha(data), size: data.length })
    expect((await readAll(await store.getBlob(sha(data)))).equals(data)).toBe(true)
    await store.uploads.cancel(up.id)
  } finally {
    await reopen()
    slow.destroy()
    await proxy.stop()
  }
})

test('an upload below one part is one verified PUT (no multipart); an empty upload completes to the empty blob', async () => {
  const small = await store.uploads.create()
  const data = await appendAll(small.id, [randomBytes(10), randomBytes(100_000), randomBytes(3)])
  const ref = await store.uploads.complete(small.id, { digest: sha(data) })
  expect(ref).toEqual({ digest: sha(data), size: data.length })
  expect(partsSent(small.id)).toEqual([])
  expect((await readAll(await store.getBlob(ref.digest))).equals(data)).toBe(true)
  expect(await keysOf(small.id)).toEqual([])

  const empty = await store.uploads.create()
  await store.uploads.append(empty.id, Readable.from([]), { offset: 0 })
  expect((await store.uploads.status(empty.id))?.size).toBe(0)
  const none = await store.uploads.complete(empty.id, { digest: sha(Buffer.alloc(0)), size: 0 })
  expect(none).toEqual({ digest: sha(Buffer.alloc(0)), size: 0 })
  expect((await readAll(await store.getBlob(none.digest))).length).toBe(0)
  const never = await store.uploads.create() // completed without a single append
  expect(await store.uploads.complete(never.id)).toEqual(none)
})

test('the acknowledged size and the bytes survive reopening the store; the upload then completes, hashed by reading back', async () => {
  const up = await store.uploads.create()
  const first = await appendAll(up.id, [randomBytes(3), randomBytes(PART + 17), randomBytes(4096)])
  const acknowledged = (await store.uploads.status(up.id))!.size
  expect(acknowledged).toBe(first.length)
  // The driver's own open sweep (grace 0) must leave the session alone. Only its objects can be seen doing so
  // here: s3rver answers ListMultipartUploads with 501, so the sweep's skipping of uploads/ multipart uploads
  // (src/s3/sweep.ts) is not observable on it.
  const again = await reopen()
  expect((await again.uploads.status(up.id))?.size).toBe(acknowledged)
  await expect(again.uploads.append(up.id, Readable.from([Buffer.from('x')]), { offset: acknowledged - 1 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
  const second = await appendAll(up.id, [randomBytes(2 * MiB), randomBytes(PART), randomBytes(99)], acknowledged)
  const all = Buffer.concat([first, second])
  await reopen()
  const ref = await store.uploads.complete(up.id, { digest: sha(all), size: all.length })
  expect(ref).toEqual({ digest: sha(all), size: all.length })
  expect(sha(await readAll(await store.getBlob(ref.digest)))).toBe(sha(all))
  expect(await keysOf(up.id)).toEqual([])
}, 60_000)

test('an upload of exactly two parts has no tail; a body that fails mid-way leaves the acknowledged size as it was', async () => {
  const exact = await store.uploads.create()
  const data = await appendAll(exact.id, [randomBytes(PART - 1), randomBytes(2), randomBytes(PART - 1)])
  expect((await recordOf(exact.id)).session).toMatchObject({ segments: [], parts: [{ n: 1, size: PART }, { n: 2, size: PART }] })
  expect(await store.uploads.complete(exact.id, { digest: sha(data) })).toEqual({ digest: sha(data), size: 2 * PART })
  expect(partsSent(exact.id).map((p) => p.size)).toEqual([PART, PART])

  const broken = await store.uploads.create()
  const start = await appendAll(broken.id, [randomBytes(1000)])
  async function* failing(): AsyncGenerator<Buffer> {
    yield randomBytes(3 * MiB)
    yield randomBytes(4 * MiB) // a part is cut and sent before the body breaks
    throw new Error('client went away')
  }
  await expect(store.uploads.append(broken.id, failing(), { offset: 1000 })).rejects.toThrow('client went away')
  expect((await store.uploads.status(broken.id))?.size).toBe(1000)
  expect((await recordOf(broken.id)).session).toMatchObject({ size: 1000, parts: [], segments: [{ start: 0, size: 1000 }] })
  const rest = await appendAll(broken.id, [randomBytes(PART + 3)], 1000)
  const all = Buffer.concat([start, rest])
  expect(await store.uploads.complete(broken.id, { digest: sha(all) })).toEqual({ digest: sha(all), size: all.length })
  expect(sha(await readAll(await store.getBlob(sha(all))))).toBe(sha(all))
}, 60_000)

test('offset and size mismatches are refused and change nothing', async () => {
  const up = await store.uploads.create()
  const data = await appendAll(up.id, [randomBytes(1000)])
  await expect(store.uploads.append(up.id, Readable.from([randomBytes(5)]), { offset: 999 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
  await expect(store.uploads.append(up.id, Readable.from([randomBytes(5)]), { offset: 1001 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
  await expect(store.uploads.complete(up.id, { size: 1001 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
  expect((await store.uploads.status(up.id))?.size).toBe(1000)
  expect((await store.uploads.complete(up.id, { digest: sha(data) })).size).toBe(1000)
})

test('a digest mismatch leaves the upload usable: with the running hash, and after a restart with parts (assembled, appended to, completed)', async () => {
  const wrong = sha(Buffer.from('not these bytes'))
  const live = await store.uploads.create()
  const liveData = await appendAll(live.id, [randomBytes(PART), randomBytes(10)])
  await expect(store.uploads.complete(live.id, { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  expect((await store.uploads.status(live.id))?.size).toBe(liveData.length)

  const restarted = await store.uploads.create()
  const before = await appendAll(restarted.id, [randomBytes(PART + 1), randomBytes(PART)])
  await reopen()
  // No running hash now: the driver assembles the parts and hashes them by reading back.
  await expect(store.uploads.complete(restarted.id, { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  expect((await store.uploads.status(restarted.id))?.size).toBe(before.length)
  expect((await recordOf(restarted.id)).session).toMatchObject({ parts: [], segments: [], assembled: { digest: sha(before) } })
  expect(await blobKeys()).toEqual([])
  const more = await appendAll(restarted.id, [randomBytes(3 * MiB)], before.length)
  const all = Buffer.concat([before, more])
  await expect(store.uploads.complete(restarted.id, { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  const ref = await store.uploads.complete(restarted.id, { digest: sha(all) })
  expect(ref).toEqual({ digest: sha(all), size: all.length })
  expect(sha(await readAll(await store.getBlob(ref.digest)))).toBe(sha(all))

  expect((await store.uploads.complete(live.id, { digest: sha(liveData) })).digest).toBe(sha(liveData))
}, 60_000)

test('a refused finish after a restart, then the right digest without another append', async () => {
  const up = await store.uploads.create()
  const data = await appendAll(up.id, [randomBytes(PART), randomBytes(PART + 5)])
  await reopen()
  await expect(store.uploads.complete(up.id, { digest: sha(Buffer.from('x')) })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  await reopen()
  expect(await store.uploads.complete(up.id, { digest: sha(data), size: data.length })).toEqual({ digest: sha(data), size: data.length })
  expect(await keysOf(up.id)).toEqual([])
}, 60_000)

test('cancel removes the session objects (the multipart parts too, where the endpoint can abort)', async () => {
  const up = await store.uploads.create()
  await appendAll(up.id, [randomBytes(PART + 100), randomBytes(300)])
  expect((await keysOf(up.id)).length).toBeGreaterThan(0)
  await store.uploads.cancel(up.id)
  // s3rver answers AbortMultipartUpload with 405, so its invisible parts stay on its disk; the objects are gone.
  expect(await keysOf(up.id)).toEqual([])
  expect(await store.uploads.status(up.id)).toBeUndefined()
  await expect(store.uploads.append(up.id, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'UPLOAD_UNKNOWN' })
  await store.uploads.cancel(up.id) // idempotent
})

test('the sweep removes orphan session objects past the grace, stale sessions, and leftovers beside live ones', async () => {
  const put = (key: string, body: string): Promise<unknown> => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}up/${key}`, Body: body }))
  const orphanId = '11111111-1111-1111-1111-111111111111'
  await put(`uploads/${orphanId}/seg/0-6`, 'orphan')
  const orphans = []
  for await (const o of store.uploads.orphans()) orphans.push(o)
  expect(orphans).toEqual([{ name: orphanId, size: 6, modifiedAt: expect.any(String) }])
  // Within the grace period: kept (it may belong to an upload being created).
  expect(await store.uploads.sweep({ graceMs: 3_600_000 })).toEqual({ uploads: 0, orphans: 0, truncated: 0, bytes: 0 })
  expect(await keysOf(orphanId)).toHaveLength(1)

  const stale = await store.uploads.create()
  await appendAll(stale.id, [randomBytes(1000)])
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
  await store.state.put(`upload/${stale.id}`, JSON.stringify({ ...(await recordOf(stale.id)), startedAt: hourAgo, updatedAt: hourAgo }))

  const live = await store.uploads.create()
  const liveData = await appendAll(live.id, [randomBytes(2000)])
  await put(`uploads/${live.id}/seg/2000-2005`, 'crash') // what an append cut short by a crash leaves

  expect(await store.uploads.sweep({ maxAgeMs: 600_000 })).toEqual({ uploads: 1, orphans: 1, truncated: 1, bytes: 6 + 1000 + 5 })
  expect(await keysOf(orphanId)).toEqual([])
  expect(await keysOf(stale.id)).toEqual([])
  expect(await store.uploads.status(stale.id)).toBeUndefined()
  expect(await keysOf(live.id)).toEqual([`${prefix}up/uploads/${live.id}/seg/0-2000`])
  expect((await store.uploads.complete(live.id, { digest: sha(liveData) })).size).toBe(2000)
})

test('opening the store sweeps stale sessions (uploadTtlMs) but not live ones', async () => {
  const stale = await store.uploads.create()
  await appendAll(stale.id, [randomBytes(PART + 1)])
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
  await store.state.put(`upload/${stale.id}`, JSON.stringify({ ...(await recordOf(stale.id)), startedAt: hourAgo, updatedAt: hourAgo }))
  const live = await store.uploads.create()
  await appendAll(live.id, [randomBytes(10)])
  await reopen(() => openStores({ dir, uploadTtlMs: 600_000, blobDriver: (name) => s3Blobs({ client, bucket: BUCKET, prefix: `${prefix}${name}/`, partSize: PART, sweepGraceMs: 0 }) }))
  expect(await store.uploads.status(stale.id)).toBeUndefined()
  expect(await keysOf(stale.id)).toEqual([])
  expect((await store.uploads.status(live.id))?.size).toBe(10)
  expect(await keysOf(live.id)).toHaveLength(1)
})

test('appends, a restart and complete go through 503 SlowDown, connection resets and reads cut mid-way', async () => {
  let puts = 0
  let segmentGets = 0
  let dataGets = 0
  const proxy = await startFaultProxy(server.port, (req) => {
    if (req.method === 'PUT') return ++puts % 7 === 3 ? 'slow-down' : puts % 7 === 5 ? 'reset' : 'pass'
    if (req.method === 'GET' && req.url?.includes('/seg/')) return ++segmentGets % 4 === 1 ? 'cut-body' : 'pass'
    if (req.method === 'GET' && req.url?.includes('/data')) return ++dataGets === 1 ? 'cut-body' : 'pass'
    return 'pass'
  })
  const faulty = s3Client({ endpoint: proxy.endpoint, credentials: S3RVER_CREDENTIALS })
  const openFaulty = (): Promise<Stores> => openStores({ dir, blobDriver: (name) => s3Blobs({ client: faulty, bucket: BUCKET, prefix: `${prefix}${name}/`, partSize: PART, queueSize: 2 }) })
  try {
    await reopen(openFaulty)
    const up = await store.uploads.create()
    const data = await appendAll(up.id, Array.from({ length: 40 }, (_, i) => randomBytes(100_000 + i * 7919)))
    await reopen(openFaulty)
    // No running hash after the restart: the assembled object is read back (through a cut body) and hashed.
    expect(await store.uploads.complete(up.id, { digest: sha(data), size: data.length })).toEqual({ digest: sha(data), size: data.length })
    expect(proxy.injected['slow-down']).toBeGreaterThan(0)
    expect(proxy.injected.reset).toBeGreaterThan(0)
    expect(proxy.injected['cut-body']).toBeGreaterThan(1)
    expect(sha(await readAll(await store.getBlob(sha(data))))).toBe(sha(data))
  } finally {
    await reopen()
    faulty.destroy()
    await proxy.stop()
  }
}, 120_000)

const MEM_TOTAL = Number(process.env.EVERLOCK_S3_UPLOAD_MEM_MB ?? 256) * MiB

test(`one append of ${MEM_TOTAL / MiB} MiB in one body holds about (queueSize + 1) × partSize, not the body`, async () => {
  // Warm-up: the SDK loads, the part buffers are allocated, the heap reaches its working size.
  const warm = await store.uploads.create()
  await store.uploads.append(warm.id, generatedBytes(MEM_TOTAL / 8, { fill: 5 }))
  await store.uploads.cancel(warm.id)
  global.gc?.()
  const up = await store.uploads.create()
  const hash = createHash('sha256')
  const base = process.memoryUsage().rss
  let peak = base
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  try {
    await store.uploads.append(up.id, generatedBytes(MEM_TOTAL, { fill: 5, onChunk: (c) => hash.update(c) }), { offset: 0 })
  } finally {
    clearInterval(sample)
  }
  const grew = peak - base
  console.info(`s3 upload memory: RSS grew ${(grew / MiB).toFixed(1)} MiB appending ${MEM_TOTAL / MiB} MiB at partSize 5 MiB, queueSize 2`)
  expect(grew).toBeLessThan(64 * MiB)
  const digest = `sha256:${hash.digest('hex')}`
  expect(await store.uploads.complete(up.id, { digest, size: MEM_TOTAL })).toEqual({ digest, size: MEM_TOTAL })
}, 300_000)
