// Cases that need to reach under the local-disk layout: corrupt bytes, leftovers of interrupted writes, stale uploads.
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'

let dir: string
let stores: Stores
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vs-fs-store-'))
  stores = await openStores({ dir })
})
afterEach(async () => {
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

const storeDir = (name: string): string => join(dir, 'stores', name)

test('verify finds a blob whose bytes were changed on disk, and changes nothing', async () => {
  const store = await stores.open('corrupt')
  const ref = await store.putBlob(Readable.from([Buffer.from('original bytes')]))
  await store.commit([{ op: 'put', path: 'f', digest: ref.digest, size: ref.size }], { author: 'a', message: 'm' })
  const hex = ref.digest.slice('sha256:'.length)
  const file = join(storeDir('corrupt'), 'blobs', 'sha256', hex.slice(0, 2), hex)
  await writeFile(file, 'tampered bytes')
  const report = await store.verify()
  expect(report.ok).toBe(false)
  expect(report.problems).toEqual([expect.objectContaining({ kind: 'blob-corrupt', digest: ref.digest })])
  expect(await store.statBlob(ref.digest)).toEqual({ digest: ref.digest, size: 14 })
  expect((await store.verify({ rehash: false })).ok).toBe(true) // without rehashing, only sizes are checked
})

test('opening a store sweeps temp files and upload files that have no session', async () => {
  await stores.open('sweep')
  await stores.close()
  await writeFile(join(storeDir('sweep'), 'blobs', 'tmp', 'interrupted-write'), 'partial')
  await writeFile(join(storeDir('sweep'), 'uploads', '00000000-0000-0000-0000-000000000000'), 'orphan')
  stores = await openStores({ dir })
  const store = await stores.open('sweep')
  expect(await readdir(join(storeDir('sweep'), 'blobs', 'tmp'))).toEqual([])
  expect(await readdir(join(storeDir('sweep'), 'uploads'))).toEqual([])
  const listed = []
  for await (const u of store.uploads.list()) listed.push(u)
  expect(listed).toEqual([])
})

test('uploadTtlMs expires uploads untouched for longer, keeps fresh ones', async () => {
  const store = await stores.open('ttl')
  const stale = await store.uploads.create()
  await store.uploads.append(stale.id, Readable.from([Buffer.from('old')]))
  // back-date the stale session's metadata by an hour
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
  await store.state.put(`upload/${stale.id}`, JSON.stringify({ startedAt: hourAgo, updatedAt: hourAgo }))
  await utimes(join(storeDir('ttl'), 'uploads', stale.id), new Date(hourAgo), new Date(hourAgo))
  const fresh = await store.uploads.create()
  await stores.close()

  stores = await openStores({ dir, uploadTtlMs: 600_000 })
  const again = await stores.open('ttl')
  expect(await again.uploads.status(stale.id)).toBeUndefined()
  await expect(again.uploads.append(stale.id, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'UPLOAD_UNKNOWN' })
  expect((await again.uploads.status(fresh.id))?.size).toBe(0)
  expect(await readdir(join(storeDir('ttl'), 'uploads'))).toEqual([fresh.id])
})

test('a finished upload becomes a blob by rename: no second copy of the bytes is left behind', async () => {
  const store = await stores.open('adopt')
  const up = await store.uploads.create()
  await store.uploads.append(up.id, Readable.from([Buffer.alloc(1 << 20, 1)]))
  const ref = await store.uploads.complete(up.id)
  expect(ref.size).toBe(1 << 20)
  expect(await readdir(join(storeDir('adopt'), 'uploads'))).toEqual([])
  expect(await readdir(join(storeDir('adopt'), 'blobs', 'tmp'))).toEqual([])
  expect((await store.verify()).ok).toBe(true)
})

test('bytes an append left past the acknowledged size (a crash mid-append) are cut off, across a reopen', async () => {
  const store = await stores.open('torn')
  const up = await store.uploads.create()
  await store.uploads.append(up.id, Readable.from([Buffer.from('abc')]))
  // What a kill -9 during the next append can leave: unacknowledged bytes, even a hole (writes run out of order).
  const { open } = await import('node:fs/promises')
  const fh = await open(join(storeDir('torn'), 'uploads', up.id), 'r+')
  await fh.write(Buffer.from('ZZ'), 0, 2, 8)
  await fh.close()
  await stores.close()
  stores = await openStores({ dir })
  const again = await stores.open('torn')
  expect((await again.uploads.status(up.id))?.size).toBe(3)
  await expect(again.uploads.append(up.id, Readable.from([Buffer.from('x')]), { offset: 4 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
  expect((await again.uploads.append(up.id, Readable.from([Buffer.from('def')]), { offset: 3 })).size).toBe(6)
  const ref = await again.uploads.complete(up.id, { size: 6 })
  const { createHash } = await import('node:crypto')
  expect(ref.digest).toBe(`sha256:${createHash('sha256').update('abcdef').digest('hex')}`)
})
