// Cases that need to reach under the local-disk layout: corrupt bytes, leftovers of interrupted writes, stale uploads.
import { appendFile, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
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

test('uploads keep the meta they were created with; a live sweep lists and removes orphans and stale uploads', async () => {
  const store = await stores.open('live')
  const tagged = await store.uploads.create({ meta: { by: 'oci', user: 'carol' } })
  expect(tagged.meta).toEqual({ by: 'oci', user: 'carol' })
  const after = await store.uploads.append(tagged.id, Readable.from([Buffer.from('partial bytes')]))
  expect(after.meta).toEqual({ by: 'oci', user: 'carol' })
  expect((await store.uploads.status(tagged.id))?.meta).toEqual({ by: 'oci', user: 'carol' })

  // a file a crash left without its record, one written just now, and an upload untouched for a day
  const uploadsDir = join(storeDir('live'), 'uploads')
  const old = new Date(Date.now() - 3_600_000)
  await writeFile(join(uploadsDir, '11111111-1111-1111-1111-111111111111'), Buffer.alloc(117 * 1024))
  await utimes(join(uploadsDir, '11111111-1111-1111-1111-111111111111'), old, old)
  await writeFile(join(uploadsDir, '22222222-2222-2222-2222-222222222222'), 'being created')
  const stale = await store.uploads.create()
  await store.uploads.append(stale.id, Readable.from([Buffer.from('abandoned')]))
  const dayAgo = new Date(Date.now() - 86_400_000 - 1000).toISOString()
  await store.state.put(`upload/${stale.id}`, JSON.stringify({ startedAt: dayAgo, updatedAt: dayAgo, size: 9 }))

  const orphans = []
  for await (const o of store.uploads.orphans()) orphans.push(o)
  expect(orphans.map((o) => [o.name, o.size]).sort()).toEqual([
    ['11111111-1111-1111-1111-111111111111', 117 * 1024],
    ['22222222-2222-2222-2222-222222222222', 13],
  ])
  expect(orphans.find((o) => o.name.startsWith('1'))?.modifiedAt).toBe(old.toISOString())

  const swept = await store.uploads.sweep({ maxAgeMs: 86_400_000, graceMs: 600_000 })
  expect(swept).toEqual({ uploads: 1, orphans: 1, truncated: 0, bytes: 117 * 1024 + 9 })
  expect((await readdir(uploadsDir)).sort()).toEqual(['22222222-2222-2222-2222-222222222222', tagged.id].sort())
  expect(await store.uploads.status(stale.id)).toBeUndefined()
  expect((await store.uploads.status(tagged.id))?.size).toBe(13)
  // without a grace the fresh orphan goes too; a record whose file is gone is dropped
  await rm(join(uploadsDir, tagged.id))
  expect(await store.uploads.sweep()).toEqual({ uploads: 1, orphans: 1, truncated: 0, bytes: 13 })
  expect(await readdir(uploadsDir)).toEqual([])
})

test('a sweep cuts back the bytes a crash mid-append left past the acknowledged size; the upload goes on', async () => {
  const store = await stores.open('tail')
  const up = await store.uploads.create()
  await store.uploads.append(up.id, Readable.from([Buffer.from('acknowledged')]))
  await appendFile(join(storeDir('tail'), 'uploads', up.id), Buffer.alloc(117 * 1024, 1)) // written, never acknowledged
  expect(await store.uploads.sweep({ maxAgeMs: 86_400_000, graceMs: 600_000 })).toEqual({ uploads: 0, orphans: 0, truncated: 1, bytes: 117 * 1024 })
  expect((await stat(join(storeDir('tail'), 'uploads', up.id))).size).toBe(12)
  await store.uploads.append(up.id, Readable.from([Buffer.from(' and more')]), { offset: 12 })
  const ref = await store.uploads.complete(up.id)
  expect(ref.size).toBe(21)
  expect(await store.uploads.sweep()).toEqual({ uploads: 0, orphans: 0, truncated: 0, bytes: 0 })
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
