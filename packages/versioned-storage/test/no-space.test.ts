import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'

// A real full disk: the data directory on an 8 MiB tmpfs (needs root, as in CI and on the dev machines).
let dir = ''
let mounted = false
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vs-nospace-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' })
    mounted = true
  } catch {
    mounted = false
  }
})
afterAll(async () => {
  if (mounted) execFileSync('umount', [dir])
  await rm(dir, { recursive: true, force: true })
})

test('a full disk answers NO_SPACE, leaves no partial blob, and the store works again once space is freed', async (ctx) => {
  if (!mounted) ctx.skip('mounting a tmpfs needs root')
  let stores: Stores = await openStores({ dir })
  try {
    const store = await stores.open('full')
    const small = await store.putBlob(Readable.from([Buffer.from('fits')]))
    await store.commit([{ op: 'put', path: 'small', digest: small.digest, size: small.size }], { author: 't', message: 'small' })
    const big = randomBytes(3 * 1024 * 1024)
    const filler = await store.putBlob(Readable.from([big]))
    await expect(store.putBlob(Readable.from([randomBytes(6 * 1024 * 1024)]))).rejects.toMatchObject({ code: 'NO_SPACE' })
    expect(await readdir(join(dir, 'stores', 'full', 'blobs', 'tmp'))).toEqual([])
    // still readable
    expect((await store.get('small'))?.digest).toBe(small.digest)
    const report = await store.verify()
    expect(report.problems).toEqual([])
    // free space, write again
    await store.deleteBlob(filler.digest)
    const again = await store.putBlob(Readable.from([randomBytes(5 * 1024 * 1024)]))
    await store.commit([{ op: 'put', path: 'again', digest: again.digest, size: again.size }], { author: 't', message: 'again' })
    await stores.close()
    stores = await openStores({ dir })
    expect((await (await stores.open('full')).get('again'))?.size).toBe(5 * 1024 * 1024)
  } finally {
    await stores.close()
  }
})
