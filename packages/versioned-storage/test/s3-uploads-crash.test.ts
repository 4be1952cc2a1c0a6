// Issue 14: resumable uploads on s3Blobs, proved through the public API only (openStore(...).uploads), so the
// same test holds for uploads kept in local files and for uploads whose bytes go into the bucket (a driver with
// `resumable`): a child appending chunks of any size is SIGKILLed at random moments, and what it was told is
// acknowledged stays, resumes, completes to exactly those bytes, and is never visible as a blob before that.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { S3Client } from '@aws-sdk/client-s3'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'
import { runUntilKilled } from './helpers/kill-loop'
import { bytesAt, chunkSizeAt, digestOfFirst, openUploadStore, pieces, UPLOAD_PREFIX, uploadDriver } from './helpers/seeded-upload'

const child = fileURLToPath(new URL('./fixtures/s3-uploads-child.ts', import.meta.url))
const ROUNDS = Number(process.env.EVERLOCK_S3_UPLOAD_CRASH_ROUNDS ?? 6)
/** The bytes follow from the seed; a failure names it, EVERLOCK_S3_UPLOAD_SEED replays the same chunks. */
const SEED = process.env.EVERLOCK_S3_UPLOAD_SEED ?? `${Date.now()}`
const GRACE_MS = 1500

let server: S3rver
let client: S3Client
const dirs: string[] = []
beforeAll(async () => {
  server = await startS3rver()
  client = server.client()
})
afterAll(async () => {
  await server?.stop()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function freshStoreDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vs-s3-uploads-'))
  dirs.push(dir)
  return dir
}

/** Does this driver keep upload bytes in the bucket (issue 14's path)? Without it, uploads are local files. */
function inBucket(): boolean {
  const driver = uploadDriver(client, 'any')
  return 'resumable' in driver && driver.resumable !== undefined
}

const localUploadFiles = async (dir: string): Promise<string[]> => readdir(join(dir, 'uploads')).catch(() => [])

/**
 * SIGKILL while the k-th chunk (k = minChunk + 0…2) of this run is on its way: 0–300 ms after its append started,
 * and at the latest 0–30 ms into chunk k + 2 (local appends are fast: this bounds the bytes a run adds).
 */
function killDuringAppend(minChunk = 1): (line: string) => number | undefined {
  const k = minChunk + Math.floor(Math.random() * 3)
  let seen = 0
  return (line) => {
    if (!line.startsWith('APPEND ')) return undefined
    seen++
    return seen === k ? Math.random() * 300 : seen === k + 2 ? Math.random() * 30 : undefined
  }
}

/**
 * One child run on upload `id`, killed mid-append; checks it resumed at `from` and that each ACK is the previous
 * size plus the seeded chunk; returns the last size it acknowledged and whether the kill fell inside an append
 * (its APPEND printed, its ACK not).
 */
async function crashRun(dir: string, bucket: string, id: string, seed: string, from: number, minChunk?: number): Promise<{ acked: number; midAppend: boolean }> {
  const lines = await runUntilKilled(child, [dir, server.endpoint, bucket, id, seed], killDuringAppend(minChunk))
  expect(lines[0], `seed ${seed}`).toBe(`READY ${from}`)
  let acked = from
  for (const line of lines) {
    const m = /^ACK (\d+)$/.exec(line)
    if (!m) continue
    expect(Number(m[1])).toBe(acked + chunkSizeAt(seed, acked))
    acked = Number(m[1])
  }
  return { acked, midAppend: lines.at(-1)!.startsWith('APPEND ') }
}

async function sha256Of(body: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of body) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

const blobKey = (digest: string): string => `${UPLOAD_PREFIX}sha256/${digest.slice(7, 9)}/${digest.slice(7)}`

test(`s3 uploads: SIGKILL mid-append ${ROUNDS} times: the acknowledged size survives, appending resumes, complete() hashes exactly the acknowledged bytes, nothing partial is a blob`, async () => {
  const BUCKET = 'uploads-crash'
  await server.createBucket(BUCKET)
  const dir = await freshStoreDir()
  const blobKeys = (): Promise<string[]> => server.keys(BUCKET, `${UPLOAD_PREFIX}sha256/`)
  const open = () => openUploadStore(dir, uploadDriver(client, BUCKET))

  let store = await open()
  const { id } = await store.uploads.create({ meta: { test: 's3-uploads-crash' } })
  await store.close()

  let acknowledged = 0
  let inFlightLanded = 0
  let midAppend = 0
  for (let round = 0; round < ROUNDS; round++) {
    const run = await crashRun(dir, BUCKET, id, SEED, acknowledged)
    const printed = run.acked
    if (run.midAppend) midAppend++
    store = await open()
    try {
      const size = (await store.uploads.status(id))?.size
      // What is durable is the upload record, written at the end of append() before it resolves; the child prints
      // ACK only after that. So the store holds the last printed size, or one chunk more when the kill fell
      // between the record and the print (the pipe loses nothing the child wrote: runUntilKilled reads to close).
      expect([printed, printed + chunkSizeAt(SEED, printed)], `seed ${SEED}, round ${round}`).toContain(size)
      if (size !== printed) inFlightLanded++
      acknowledged = size!
      expect(await blobKeys(), 'no blob before complete()').toEqual([])
      if (inBucket()) expect(await localUploadFiles(dir), 'in-bucket uploads keep no local file').toEqual([])
    } finally {
      await store.close()
    }
  }
  expect(acknowledged).toBeGreaterThan(0)

  store = await open()
  try {
    // This process never saw the earlier bytes: complete() cannot use a running hash and must read them back.
    const length = chunkSizeAt(SEED, acknowledged)
    const status = await store.uploads.append(id, pieces(bytesAt(SEED, acknowledged, length)), { offset: acknowledged })
    expect(status.size).toBe(acknowledged + length)
    await expect(store.uploads.append(id, pieces(Buffer.from('late')), { offset: acknowledged })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
    const total = status.size
    const digest = digestOfFirst(SEED, total)

    await expect(store.uploads.complete(id, { size: total + 1 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
    expect((await store.uploads.status(id))?.size, 'a refused complete keeps the upload').toBe(total)
    expect(await blobKeys(), 'a refused complete publishes nothing').toEqual([])

    expect(await store.uploads.complete(id)).toEqual({ digest, size: total })
    expect(await store.uploads.status(id)).toBeUndefined()
    expect(await blobKeys()).toEqual([blobKey(digest)])
    expect(await sha256Of(await store.getBlob(digest)), 'the blob reads back as the acknowledged bytes').toBe(digest)
    // Nothing of the upload is left: no staging object, no session object, no local file.
    expect(await server.keys(BUCKET)).toEqual([blobKey(digest)])
    expect(await localUploadFiles(dir)).toEqual([])
    console.info(
      `s3 uploads crash (${inBucket() ? 'in-bucket' : 'local upload files'}): ${ROUNDS} kills (${midAppend} inside an append), ${(total / 2 ** 20).toFixed(1)} MiB acknowledged, ` +
        `${inFlightLanded} kill(s) after a record but before its ACK was printed, seed ${SEED}`,
    )
  } finally {
    await store.close()
  }
}, 120_000)

test('s3 uploads: uploads abandoned mid-append are kept within the grace period, then swept with everything they left', async () => {
  const BUCKET = 'uploads-abandoned'
  await server.createBucket(BUCKET)
  const dir = await freshStoreDir()
  const open = () => openUploadStore(dir, uploadDriver(client, BUCKET))
  let store = await open()
  const stale = await store.uploads.create()
  const lost = await store.uploads.create()
  await store.close()
  // killed during the second chunk or later: each holds at least one acknowledged chunk
  expect((await crashRun(dir, BUCKET, stale.id, `${SEED}-stale`, 0, 2)).acked).toBeGreaterThan(0)
  expect((await crashRun(dir, BUCKET, lost.id, `${SEED}-lost`, 0, 2)).acked).toBeGreaterThan(0)

  store = await open()
  try {
    // A kill inside forget() (record deleted, bytes not yet): simulated by deleting the record alone. The record
    // key is the Uploads layer's; checked first so a change of layout fails here instead of proving nothing.
    const record = `upload/${lost.id}`
    expect(await store.state.get(record)).toBeDefined()
    await store.state.del(record)
    expect(await store.uploads.status(lost.id)).toBeUndefined()
    const left = async (): Promise<number> => (await server.keys(BUCKET)).length + (await localUploadFiles(dir)).length
    expect(await left(), 'the abandoned uploads hold their bytes somewhere').toBeGreaterThan(0)

    const early = await store.uploads.sweep({ maxAgeMs: GRACE_MS * 20, graceMs: GRACE_MS * 20 })
    expect(early).toMatchObject({ uploads: 0, orphans: 0 })
    expect((await store.uploads.status(stale.id))?.size).toBeGreaterThan(0)
    const orphans: unknown[] = []
    for await (const orphan of store.uploads.orphans()) orphans.push(orphan)
    expect(orphans.length, 'the upload without a record is an orphan').toBeGreaterThan(0)

    await sleep(GRACE_MS + 200)
    const late = await store.uploads.sweep({ maxAgeMs: GRACE_MS, graceMs: GRACE_MS })
    expect(late.uploads).toBe(1)
    expect(late.orphans).toBeGreaterThan(0)
    expect(await store.uploads.status(stale.id)).toBeUndefined()
    expect(await server.keys(BUCKET), 'nothing of either upload is left in the bucket').toEqual([])
    expect(await localUploadFiles(dir)).toEqual([])
  } finally {
    await store.close()
  }
}, 60_000)

test('s3 uploads: SIGKILL during complete(): the blob is whole under its digest or absent, the record goes only after it, a retry completes', async () => {
  const BUCKET = 'uploads-complete'
  await server.createBucket(BUCKET)
  const dir = await freshStoreDir()
  const open = () => openUploadStore(dir, uploadDriver(client, BUCKET))
  const published: string[] = []
  let killedBeforeDone = 0
  for (let round = 0; round < 3; round++) {
    const seed = `${SEED}-complete-${round}`
    let store = await open()
    const { id } = await store.uploads.create()
    let size = 0
    while (size < 24 * 2 ** 20) size = (await store.uploads.append(id, pieces(bytesAt(seed, size, chunkSizeAt(seed, size))), { offset: size })).size
    await store.close()
    const digest = digestOfFirst(seed, size)

    const lines = await runUntilKilled(child, [dir, server.endpoint, BUCKET, id, seed, 'complete'], (l) => (l.startsWith('READY ') ? Math.random() * 800 : undefined))
    const done = lines.filter((l) => l.startsWith('DONE '))
    expect(done.every((l) => l === `DONE ${digest} ${size}`), `seed ${seed}: ${done.join(', ')}`).toBe(true)
    if (done.length === 0) killedBeforeDone++

    store = await open()
    try {
      const status = await store.uploads.status(id)
      const visible = (await server.keys(BUCKET, `${UPLOAD_PREFIX}sha256/`)).includes(blobKey(digest))
      if (done.length > 0 || status === undefined) expect(visible, 'an upload is forgotten only once its blob is published').toBe(true)
      if (status) expect(status.size, 'a killed complete keeps every acknowledged byte').toBe(size)
      if (visible) expect(await sha256Of(await store.getBlob(digest)), 'a visible blob is whole').toBe(digest)
      if (status) expect(await store.uploads.complete(id)).toEqual({ digest, size })
      published.push(blobKey(digest))
      await store.uploads.sweep({ graceMs: 0 })
      expect((await server.keys(BUCKET)).sort(), 'only the published blobs are left').toEqual([...published].sort())
      expect(await localUploadFiles(dir)).toEqual([])
    } finally {
      await store.close()
    }
  }
  console.info(`s3 uploads, kills during complete(): ${killedBeforeDone} of 3 before it resolved`)
}, 90_000)
