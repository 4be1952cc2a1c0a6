/**
 * Conformance suites for @everlock/versioned-storage. Every BlobDriver and every Stores implementation runs the
 * same cases with its own factory:
 *
 *   blobDriverConformance('fs', async () => ({ driver: fsBlobs({ dir }), cleanup }))
 *   storeConformance('fs', async () => ({ stores: await openStores({ dir }), cleanup }))
 */
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BlobDriver, Store, Stores } from './types'

export interface DriverFixture {
  driver: BlobDriver
  cleanup(): Promise<void>
}

export interface StoresFixture {
  stores: Stores
  /** Close and open the same data again (for persistence cases); omit to skip them. */
  reopen?(): Promise<Stores>
  cleanup(): Promise<void>
}

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

/**
 * `total` bytes made on demand, 1 MiB at a time (each block stamped with its index, the rest `fill`), for
 * streaming tests that must not hold a blob in memory; `onChunk` sees each block (e.g. to hash it).
 */
export function generatedBytes(total: number, opts: { fill?: number; onChunk?: (chunk: Buffer) => void } = {}): Readable {
  const MiB = 1024 * 1024
  let sent = 0
  const chunk = Buffer.alloc(MiB, opts.fill ?? 0)
  return new Readable({
    read() {
      if (sent >= total) return this.push(null)
      chunk.writeUInt32BE(sent / MiB, 0)
      opts.onChunk?.(chunk)
      sent += MiB
      this.push(Buffer.from(chunk))
    },
  })
}

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

function chunked(data: Buffer, size = 7): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size))
  return Readable.from(parts)
}

export function blobDriverConformance(name: string, make: () => Promise<DriverFixture>): void {
  describe(`BlobDriver conformance: ${name}`, () => {
    let fx: DriverFixture
    beforeEach(async () => {
      fx = await make()
    })
    afterEach(async () => {
      await fx.cleanup()
    })

    it('stages, hashes, publishes and reads back', async () => {
      const data = randomBytes(100_000)
      const staged = await fx.driver.stage(chunked(data, 4096))
      expect(staged.digest).toBe(sha(data))
      expect(staged.size).toBe(data.length)
      expect(await fx.driver.stat(staged.digest)).toBeUndefined()
      await staged.publish()
      expect(await fx.driver.stat(staged.digest)).toEqual({ size: data.length })
      expect((await readAll(await fx.driver.read(staged.digest))).equals(data)).toBe(true)
    })

    it('discarded blobs are never visible', async () => {
      const staged = await fx.driver.stage(Readable.from([Buffer.from('discard me')]))
      await staged.discard()
      expect(await fx.driver.stat(staged.digest)).toBeUndefined()
      expect(await collect(fx.driver.list())).not.toContain(staged.digest)
    })

    it('publishing the same content twice keeps one copy', async () => {
      const data = Buffer.from('same bytes')
      await (await fx.driver.stage(Readable.from([data]))).publish()
      await (await fx.driver.stage(Readable.from([data]))).publish()
      expect((await collect(fx.driver.list())).filter((d) => d === sha(data))).toHaveLength(1)
    })

    it('reads byte ranges with an inclusive end', async () => {
      const data = Buffer.from('0123456789')
      const staged = await fx.driver.stage(Readable.from([data]))
      await staged.publish()
      expect((await readAll(await fx.driver.read(staged.digest, { start: 2, end: 5 }))).toString()).toBe('2345')
      expect((await readAll(await fx.driver.read(staged.digest, { start: 7 }))).toString()).toBe('789')
      await expect(fx.driver.read(staged.digest, { start: 10 })).rejects.toMatchObject({ code: 'RANGE_INVALID' })
    })

    it('unknown blobs: BLOB_UNKNOWN on read, undefined on stat, delete is idempotent', async () => {
      const digest = sha(Buffer.from('never written'))
      await expect(fx.driver.read(digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
      expect(await fx.driver.stat(digest)).toBeUndefined()
      await fx.driver.delete(digest)
    })

    it('deletes and lists', async () => {
      const staged = await fx.driver.stage(Readable.from([Buffer.from('to delete')]))
      await staged.publish()
      expect(await collect(fx.driver.list())).toContain(staged.digest)
      await fx.driver.delete(staged.digest)
      expect(await fx.driver.stat(staged.digest)).toBeUndefined()
    })

    it('an empty blob is a blob', async () => {
      const staged = await fx.driver.stage(Readable.from([]))
      await staged.publish()
      expect(staged.digest).toBe(sha(Buffer.alloc(0)))
      expect(await fx.driver.stat(staged.digest)).toEqual({ size: 0 })
      expect((await readAll(await fx.driver.read(staged.digest))).length).toBe(0)
      await expect(fx.driver.read(staged.digest, { start: 0 })).rejects.toMatchObject({ code: 'RANGE_INVALID' })
    })

    it('a failing body leaves nothing behind', async () => {
      async function* failing(): AsyncIterable<Uint8Array> {
        yield Buffer.from('partial')
        throw new Error('client went away')
      }
      await expect(fx.driver.stage(failing())).rejects.toThrow('client went away')
      expect(await collect(fx.driver.list())).toHaveLength(0)
      expect(await fx.driver.sweep()).toBe(0)
    })

    it('a blob of many MiB in odd-sized chunks streams in and out whole, and ranges cross chunk boundaries', async () => {
      const data = randomBytes(21 * 1024 * 1024 + 13)
      const staged = await fx.driver.stage(chunked(data, 1024 * 1024 + 7))
      expect(staged).toMatchObject({ digest: sha(data), size: data.length })
      expect(await fx.driver.stat(staged.digest)).toBeUndefined()
      await staged.publish()
      expect(await fx.driver.stat(staged.digest)).toEqual({ size: data.length })
      expect((await readAll(await fx.driver.read(staged.digest))).equals(data)).toBe(true)
      const start = 8 * 1024 * 1024 - 5
      expect((await readAll(await fx.driver.read(staged.digest, { start, end: start + 9 }))).equals(data.subarray(start, start + 10))).toBe(true)
      expect((await readAll(await fx.driver.read(staged.digest, { start: data.length - 3 }))).equals(data.subarray(-3))).toBe(true)
    })

    for (const size of [10, 12 * 1024 * 1024]) {
      it(`an expected digest is only a hint: wrong bytes (${size} B) are never visible under either digest`, async () => {
        const data = randomBytes(size)
        const claimed = sha(Buffer.from('something else'))
        const staged = await fx.driver.stage(chunked(data, 64 * 1024), { digest: claimed, size })
        expect(staged.digest).toBe(sha(data))
        await staged.discard()
        expect(await fx.driver.stat(claimed)).toBeUndefined()
        expect(await fx.driver.stat(sha(data))).toBeUndefined()
        expect(await collect(fx.driver.list())).toEqual([])
        const right = await fx.driver.stage(chunked(data, 64 * 1024), { digest: sha(data), size })
        await right.publish()
        expect((await readAll(await fx.driver.read(sha(data)))).equals(data)).toBe(true)
      })
    }

    it('staging bytes that are already stored (expected digest) still reads and verifies them, and keeps one copy', async () => {
      const data = randomBytes(9 * 1024 * 1024)
      await (await fx.driver.stage(chunked(data, 256 * 1024))).publish()
      let pulled = 0
      async function* counted(): AsyncIterable<Uint8Array> {
        for await (const chunk of chunked(data, 256 * 1024)) {
          pulled += (chunk as Buffer).length
          yield chunk as Buffer
        }
      }
      const again = await fx.driver.stage(counted(), { digest: sha(data), size: data.length })
      expect(pulled).toBe(data.length)
      expect(again).toMatchObject({ digest: sha(data), size: data.length })
      await again.publish()
      expect(await collect(fx.driver.list())).toEqual([sha(data)])
    })
  })
}

export function storeConformance(name: string, make: () => Promise<StoresFixture>): void {
  describe(`Store conformance: ${name}`, () => {
    let fx: StoresFixture
    let store: Store
    beforeEach(async () => {
      fx = await make()
      store = await fx.stores.open('conformance')
    })
    afterEach(async () => {
      await fx.cleanup()
    })

    const put = async (text: string) => store.putBlob(Readable.from([Buffer.from(text)]))

    it('putBlob verifies digest and size, and a mismatch stores nothing', async () => {
      const data = Buffer.from('verified bytes')
      await expect(store.putBlob(Readable.from([data]), { digest: sha(Buffer.from('other')) })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
      await expect(store.putBlob(Readable.from([data]), { size: 3 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
      expect(await store.statBlob(sha(data))).toBeUndefined()
      const ref = await store.putBlob(Readable.from([data]), { digest: sha(data), size: data.length })
      expect(ref).toEqual({ digest: sha(data), size: data.length })
      expect(await store.statBlob(sha(data))).toEqual(ref)
    })

    it('rejects malformed digests with DIGEST_INVALID', async () => {
      await expect(store.getBlob('sha256:xyz')).rejects.toMatchObject({ code: 'DIGEST_INVALID' })
      await expect(store.statBlob('md5:00')).rejects.toMatchObject({ code: 'DIGEST_INVALID' })
      await expect(store.putBlob(Readable.from([]), { digest: 'sha512:' + 'a'.repeat(128) })).rejects.toMatchObject({ code: 'DIGEST_INVALID' })
    })

    it('getBlob streams whole blobs and ranges; unknown is BLOB_UNKNOWN', async () => {
      const ref = await put('abcdefgh')
      expect((await readAll(await store.getBlob(ref.digest))).toString()).toBe('abcdefgh')
      expect((await readAll(await store.getBlob(ref.digest, { start: 3, end: 4 }))).toString()).toBe('de')
      await expect(store.getBlob(ref.digest, { start: 5, end: 2 })).rejects.toMatchObject({ code: 'RANGE_INVALID' })
      await expect(store.getBlob(sha(Buffer.from('nope')))).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
    })

    it('openBlobFile gives an open file with the bytes, or undefined for drivers without local files', async () => {
      const ref = await put('zero-copy bytes')
      const file = await store.openBlobFile(ref.digest)
      if (file === undefined) return // object storage: nothing local to hand out
      try {
        expect(file.size).toBe(ref.size)
        const { readSync } = await import('node:fs')
        const buf = Buffer.alloc(file.size)
        expect(readSync(file.fd, buf, 0, file.size, 0)).toBe(file.size)
        expect(buf.toString()).toBe('zero-copy bytes')
      } finally {
        await file.close()
      }
      await expect(store.openBlobFile(sha(Buffer.from('nope')))).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
      await expect(store.openBlobFile('sha256:xyz')).rejects.toMatchObject({ code: 'DIGEST_INVALID' })
    })

    it('blobUrl gives a URL serving the bytes (Range, type and disposition overrides), or undefined', async () => {
      const ref = await put('bytes straight from the object store')
      await expect(store.blobUrl('sha256:xyz', { expiresInSeconds: 60 })).rejects.toMatchObject({ code: 'DIGEST_INVALID' })
      const url = await store.blobUrl(ref.digest, { expiresInSeconds: 60, contentType: 'image/jpeg', contentDisposition: 'attachment; filename="a.jpg"' })
      if (url === undefined) return // a driver without direct URLs (the local disk)
      const whole = await fetch(url)
      expect(whole.status).toBe(200)
      expect(whole.headers.get('content-type')).toBe('image/jpeg')
      expect(whole.headers.get('content-disposition')).toBe('attachment; filename="a.jpg"')
      expect(await whole.text()).toBe('bytes straight from the object store')
      const part = await fetch(url, { headers: { range: 'bytes=6-13' } })
      expect(part.status).toBe(206)
      expect(await part.text()).toBe('straight')
    })

    it('commits many changes atomically with author, message, time and parent', async () => {
      const a = await put('a')
      const first = await store.commit([{ op: 'put', path: 'dir/a', digest: a.digest, size: a.size }], { author: 'alice', message: 'first' })
      expect(first).toMatchObject({ parent: null, author: 'alice', message: 'first', seq: 1, paths: ['dir/a'] })
      expect(Date.parse(first.time)).not.toBeNaN()
      expect(first.id).toMatch(/^[a-f0-9]{64}$/)
      const b = await put('b')
      const second = await store.commit(
        [
          { op: 'put', path: 'dir/b', digest: b.digest, size: b.size, meta: { mediaType: 'text/plain' } },
          { op: 'delete', path: 'dir/a' },
        ],
        { author: 'bob', message: 'second' },
      )
      expect(second.parent).toBe(first.id)
      expect(await store.get('dir/a')).toBeUndefined()
      expect(await store.get('dir/b')).toEqual({ digest: b.digest, size: 1, meta: { mediaType: 'text/plain' } })
      expect((await store.head())?.id).toBe(second.id)
      expect((await store.getCommit(first.id))?.author).toBe('alice')
    })

    it('a commit naming an unknown blob or a wrong size changes nothing', async () => {
      const a = await put('a')
      const head = await store.head()
      await expect(
        store.commit(
          [
            { op: 'put', path: 'ok', digest: a.digest, size: a.size },
            { op: 'put', path: 'bad', digest: sha(Buffer.from('missing')), size: 7 },
          ],
          { author: 'x', message: 'm' },
        ),
      ).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
      await expect(store.commit([{ op: 'put', path: 'ok', digest: a.digest, size: 99 }], { author: 'x', message: 'm' })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
      expect(await store.head()).toEqual(head)
      expect(await store.get('ok')).toBeUndefined()
    })

    it('rejects invalid paths and authors with stable codes', async () => {
      const a = await put('a')
      for (const path of ['../x', 'a/../b', 'a//b', '/abs', 'trail/', '', 'a/./b', 'nul\u0000byte', 'x'.repeat(1025)]) {
        await expect(store.commit([{ op: 'put', path, digest: a.digest, size: a.size }], { author: 'x', message: 'm' })).rejects.toMatchObject({ code: 'PATH_INVALID' })
      }
      await expect(store.get('../etc/passwd')).rejects.toMatchObject({ code: 'PATH_INVALID' })
      await expect(store.commit([], { author: '', message: 'm' })).rejects.toMatchObject({ code: 'AUTHOR_INVALID' })
      expect(await store.head()).toBeUndefined()
    })

    it('reads any path at an earlier commit; unknown commits are COMMIT_UNKNOWN', async () => {
      const v1 = await put('v1')
      const v2 = await put('v2')
      const c1 = await store.commit([{ op: 'put', path: 'f', digest: v1.digest, size: v1.size }], { author: 'a', message: '1' })
      const c2 = await store.commit([{ op: 'put', path: 'f', digest: v2.digest, size: v2.size }], { author: 'a', message: '2' })
      const c3 = await store.commit([{ op: 'delete', path: 'f' }], { author: 'a', message: '3' })
      expect((await store.get('f', c1.id))?.digest).toBe(v1.digest)
      expect((await store.get('f', c2.id))?.digest).toBe(v2.digest)
      expect(await store.get('f', c3.id)).toBeUndefined()
      await expect(store.get('f', 'f'.repeat(64))).rejects.toMatchObject({ code: 'COMMIT_UNKNOWN' })
    })

    it('lists lexicographically with after/limit, at HEAD and at an earlier commit', async () => {
      const a = await put('a')
      const names = ['p/b', 'p/a', 'p/c/d', 'p/c', 'q/z', 'p-x']
      const c1 = await store.commit(names.map((path) => ({ op: 'put' as const, path, digest: a.digest, size: a.size })), { author: 'a', message: 'm' })
      await store.commit([{ op: 'delete', path: 'p/b' }, { op: 'put', path: 'p/e', digest: a.digest, size: a.size }], { author: 'a', message: 'm2' })
      const paths = async (prefix: string, opts = {}) => (await collect(store.list(prefix, opts))).map(([p]) => p)
      expect(await paths('p/')).toEqual(['p/a', 'p/c', 'p/c/d', 'p/e'])
      expect(await paths('p/', { after: 'p/c', limit: 2 })).toEqual(['p/c/d', 'p/e'])
      expect(await paths('p/', { at: c1.id })).toEqual(['p/a', 'p/b', 'p/c', 'p/c/d'])
      expect(await paths('p/', { at: c1.id, after: 'p/a', limit: 1 })).toEqual(['p/b'])
      expect(await paths('')).toEqual(['p-x', 'p/a', 'p/c', 'p/c/d', 'p/e', 'q/z'])
    })

    it('log is newest first, filtered by path or prefix, limited', async () => {
      const a = await put('a')
      await store.commit([{ op: 'put', path: 'x/1', digest: a.digest, size: a.size }], { author: 'u1', message: 'one' })
      await store.commit([{ op: 'put', path: 'y/1', digest: a.digest, size: a.size }], { author: 'u2', message: 'two' })
      await store.commit([{ op: 'delete', path: 'x/1' }], { author: 'u3', message: 'three' })
      expect((await collect(store.log())).map((c) => c.message)).toEqual(['three', 'two', 'one'])
      expect((await collect(store.log({ limit: 1 }))).map((c) => c.message)).toEqual(['three'])
      expect((await collect(store.log({ path: 'x/1' }))).map((c) => c.author)).toEqual(['u3', 'u1'])
      expect((await collect(store.log({ path: 'y/' }))).map((c) => c.author)).toEqual(['u2'])
    })

    it('side state is durable key/value with prefix listing', async () => {
      await store.state.batch([{ key: 'up/1', value: 'a' }, { key: 'up/2', value: 'b' }, { key: 'other', value: 'c' }])
      expect(await collect(store.state.entries('up/'))).toEqual([['up/1', 'a'], ['up/2', 'b']])
      expect(await collect(store.state.entries('up/', { after: 'up/1' }))).toEqual([['up/2', 'b']])
      await store.state.del('up/1')
      expect(await store.state.get('up/1')).toBeUndefined()
    })

    it('resumable uploads: in-order appends, verification, cancel', async () => {
      const up = await store.uploads.create()
      await store.uploads.append(up.id, Readable.from([Buffer.from('hello ')]), { offset: 0 })
      await expect(store.uploads.append(up.id, Readable.from([Buffer.from('!')]), { offset: 2 })).rejects.toMatchObject({ code: 'UPLOAD_OFFSET_INVALID' })
      await store.uploads.append(up.id, Readable.from([Buffer.from('world')]))
      expect((await store.uploads.status(up.id))?.size).toBe(11)
      await expect(store.uploads.complete(up.id, { digest: sha(Buffer.from('nope')) })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
      expect((await store.uploads.status(up.id))?.size).toBe(11)
      const ref = await store.uploads.complete(up.id, { digest: sha(Buffer.from('hello world')), size: 11 })
      expect((await readAll(await store.getBlob(ref.digest))).toString()).toBe('hello world')
      expect(await store.uploads.status(up.id)).toBeUndefined()
      const other = await store.uploads.create()
      await store.uploads.cancel(other.id)
      await expect(store.uploads.append(other.id, Readable.from([]))).rejects.toMatchObject({ code: 'UPLOAD_UNKNOWN' })
      await expect(store.uploads.complete('not-an-id')).rejects.toMatchObject({ code: 'UPLOAD_UNKNOWN' })
    })

    it('verify reports a healthy store as ok', async () => {
      const a = await put('a')
      await store.commit([{ op: 'put', path: 'f', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })
      const report = await store.verify()
      expect(report).toMatchObject({ ok: true, problems: [] })
      expect(report.entriesChecked).toBe(1)
      expect(report.commitsChecked).toBe(1)
    })

    it('paths with astral characters list and paginate in one consistent order; lone surrogates are PATH_INVALID', async () => {
      const a = await put('a')
      const names = ['u/\u{1F600}', 'u/\uFFFD', 'u/z', 'u/\u00e9', 'u/\u{1F600}/x']
      const c1 = await store.commit(names.map((path) => ({ op: 'put' as const, path, digest: a.digest, size: a.size })), { author: 'a', message: 'm' })
      const all = (await collect(store.list('u/'))).map(([p]) => p)
      expect([...all].sort()).toEqual([...names].sort())
      for (const at of [undefined, c1.id]) {
        const paged: string[] = []
        let after: string | undefined
        for (;;) {
          const page = (await collect(store.list('u/', { limit: 2, ...(after ? { after } : {}), ...(at ? { at } : {}) }))).map(([p]) => p)
          if (page.length === 0) break
          paged.push(...page)
          after = page.at(-1)
        }
        expect(paged).toEqual(all)
      }
      expect((await collect(store.log({ path: 'u/\u{1F600}' }))).map((c) => c.id)).toEqual([c1.id])
      await expect(store.commit([{ op: 'put', path: 'bad\uD800', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })).rejects.toMatchObject({ code: 'PATH_INVALID' })
    })

    it('concurrent commits form one linear chain', async () => {
      const a = await put('a')
      const commits = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.commit([{ op: 'put', path: `c/${i}`, digest: a.digest, size: a.size }], { author: 'a', message: `${i}` })),
      )
      const bySeq = [...commits].sort((x, y) => x.seq - y.seq)
      expect(bySeq.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      bySeq.forEach((c, i) => expect(c.parent).toBe(i === 0 ? null : bySeq[i - 1]!.id))
      expect((await collect(store.list('c/'))).length).toBe(20)
    })

    it('a big commit is all-or-nothing: one bad change among 500 rejects the whole commit', async () => {
      const a = await put('a')
      const changes = Array.from({ length: 500 }, (_, i) => ({ op: 'put' as const, path: `big/${i}`, digest: a.digest, size: a.size }))
      await expect(store.commit([...changes, { op: 'put', path: 'big/../x', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })).rejects.toMatchObject({ code: 'PATH_INVALID' })
      expect(await collect(store.list('big/'))).toEqual([])
      const ok = await store.commit(changes, { author: 'a', message: 'm' })
      expect(ok.paths).toHaveLength(500)
      expect((await collect(store.list('big/'))).length).toBe(500)
    })

    it('opening the same name concurrently gives one instance', async () => {
      const [x, y, z] = await Promise.all([fx.stores.open('same'), fx.stores.open('same'), fx.stores.open('conformance')])
      expect(x).toBe(y)
      expect(z).toBe(store)
      expect(await fx.stores.list()).toEqual(expect.arrayContaining(['same', 'conformance']))
    })

    it('after close every call rejects with STORE_CLOSED', async () => {
      const a = await put('a')
      await fx.stores.close()
      await expect(store.get('f')).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(store.commit([{ op: 'put', path: 'f', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(store.putBlob(Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(collect(store.list(''))).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(collect(store.log())).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(store.state.get('k')).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(store.uploads.create()).rejects.toMatchObject({ code: 'STORE_CLOSED' })
      await expect(fx.stores.open('conformance')).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    })

    it('verify reports a dangling entry without changing anything', async () => {
      const a = await put('dangling')
      const commit = await store.commit([{ op: 'put', path: 'gone', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })
      await store.deleteBlob(a.digest)
      const report = await store.verify()
      expect(report.ok).toBe(false)
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'tree-dangling', path: 'gone', digest: a.digest })])
      expect((await store.head())?.id).toBe(commit.id)
      expect(await store.get('gone')).toEqual({ digest: a.digest, size: a.size })
    })

    it('uploads: racing appends at the same offset, size mismatch keeps the upload', async () => {
      const up = await store.uploads.create()
      const results = await Promise.allSettled([
        store.uploads.append(up.id, Readable.from([Buffer.from('first')]), { offset: 0 }),
        store.uploads.append(up.id, Readable.from([Buffer.from('second')]), { offset: 0 }),
      ])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'UPLOAD_OFFSET_INVALID' } })
      const size = (await store.uploads.status(up.id))!.size
      expect([5, 6]).toContain(size)
      await expect(store.uploads.complete(up.id, { size: size + 1 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
      expect((await collect(store.uploads.list())).map((u) => u.id)).toContain(up.id)
      const ref = await store.uploads.complete(up.id, { size })
      expect(ref.size).toBe(size)
      await store.uploads.cancel(up.id) // idempotent once gone
    })

    it('store names are validated', async () => {
      await expect(fx.stores.open('../escape')).rejects.toMatchObject({ code: 'STORE_NAME_INVALID' })
      await expect(fx.stores.open('UPPER')).rejects.toMatchObject({ code: 'STORE_NAME_INVALID' })
      expect(await fx.stores.list()).toContain('conformance')
    })

    it('a resumable upload of odd-sized chunks larger than object-storage parts survives reopen and completes whole', async (ctx) => {
      if (!fx.reopen) ctx.skip('the fixture cannot reopen its stores')
      const chunks = [randomBytes(3), randomBytes(6 * 1024 * 1024 + 1), randomBytes(1), randomBytes(5 * 1024 * 1024 - 1), randomBytes(700_001)]
      const all = Buffer.concat(chunks)
      const up = await store.uploads.create()
      for (const chunk of chunks.slice(0, 3)) await store.uploads.append(up.id, Readable.from([chunk]))
      const acknowledged = (await store.uploads.status(up.id))!.size
      expect(acknowledged).toBe(chunks[0]!.length + chunks[1]!.length + 1)
      const again = await (await fx.reopen!()).open('conformance')
      expect((await again.uploads.status(up.id))?.size).toBe(acknowledged)
      for (const chunk of chunks.slice(3)) await again.uploads.append(up.id, chunked(chunk, 100_000))
      const ref = await again.uploads.complete(up.id, { digest: sha(all), size: all.length })
      expect(ref).toEqual({ digest: sha(all), size: all.length })
      expect((await readAll(await again.getBlob(ref.digest))).equals(all)).toBe(true)
    })

    it('everything persists across reopen, including uploads in progress', async (ctx) => {
      if (!fx.reopen) ctx.skip()
      const a = await put('persist')
      const commit = await store.commit([{ op: 'put', path: 'keep', digest: a.digest, size: a.size }], { author: 'a', message: 'm' })
      await store.state.put('k', 'v')
      const up = await store.uploads.create()
      await store.uploads.append(up.id, Readable.from([Buffer.from('part one ')]))
      const stores = await fx.reopen!()
      const again = await stores.open('conformance')
      expect((await again.head())?.id).toBe(commit.id)
      expect((await again.get('keep'))?.digest).toBe(a.digest)
      expect(await again.state.get('k')).toBe('v')
      await again.uploads.append(up.id, Readable.from([Buffer.from('part two')]), { offset: 9 })
      const ref = await again.uploads.complete(up.id, { digest: sha(Buffer.from('part one part two')) })
      expect(ref.size).toBe(17)
    })
  })
}
