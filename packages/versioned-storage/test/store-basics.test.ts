import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'

let dir: string
let stores: Stores
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vs-basics-'))
  stores = await openStores({ dir })
})
afterEach(async () => {
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

test('blobs, commits, reads at HEAD and at an earlier commit, side state and uploads', async () => {
  const store = await stores.open('s1')
  const a = await store.putBlob(Readable.from([Buffer.from('hello ')]))
  const b = await store.putBlob(Readable.from([Buffer.from('world')]))
  const c1 = await store.commit([{ op: 'put', path: 'x/a', digest: a.digest, size: a.size }], { author: 'alice', message: 'one' })
  const c2 = await store.commit(
    [
      { op: 'put', path: 'x/a', digest: b.digest, size: b.size },
      { op: 'put', path: 'x/b', digest: a.digest, size: a.size },
    ],
    { author: 'bob', message: 'two' },
  )
  expect(c2.parent).toBe(c1.id)
  expect((await store.get('x/a'))?.digest).toBe(b.digest)
  expect((await store.get('x/a', c1.id))?.digest).toBe(a.digest)
  expect(await store.get('x/b', c1.id)).toBeUndefined()
  const listed: string[] = []
  for await (const [p] of store.list('x/')) listed.push(p)
  expect(listed).toEqual(['x/a', 'x/b'])
  const old: string[] = []
  for await (const [p] of store.list('x/', { at: c1.id })) old.push(p)
  expect(old).toEqual(['x/a'])
  const authors: string[] = []
  for await (const c of store.log({ path: 'x/a' })) authors.push(c.author)
  expect(authors).toEqual(['bob', 'alice'])
  await store.state.put('k', 'v')
  expect(await store.state.get('k')).toBe('v')
  const up = await store.uploads.create()
  await store.uploads.append(up.id, Readable.from([Buffer.from('abc')]), { offset: 0 })
  await expect(store.uploads.append(up.id, Readable.from([Buffer.from('x')]), { offset: 1 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
  await store.uploads.append(up.id, Readable.from([Buffer.from('def')]), { offset: 3 })
  const ref = await store.uploads.complete(up.id)
  expect(ref.size).toBe(6)
  const chunks: Buffer[] = []
  for await (const ch of await store.getBlob(ref.digest, { start: 1, end: 3 })) chunks.push(ch as Buffer)
  expect(Buffer.concat(chunks).toString()).toBe('bcd')
  expect((await store.verify()).ok).toBe(true)
})
