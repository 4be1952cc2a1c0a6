import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Level } from 'level'
import type { BlobDriver, BlobRef, BlobUrlOptions, ByteRange, Change, ListOptions, LogOptions, Store } from './types'
import { StorageError } from './errors'
import { assertDigest } from './digest'
import { Tree } from './tree'
import { createSideState } from './side-state'
import { createUploads } from './uploads'
import { verifyStore } from './verify'

export interface OpenStoreOptions {
  readonly name: string
  /** The store's own directory: `meta/` (LevelDB) and `uploads/` live here. */
  readonly dir: string
  readonly blobs: BlobDriver
  /** Uploads untouched for longer than this are removed when the store opens (default: kept). */
  readonly uploadTtlMs?: number
}

export interface OpenedStore extends Store {
  close(): Promise<void>
}

/** Open one store: LevelDB metadata + a blob driver. Sweeps interrupted writes on open. */
export async function openStore(opts: OpenStoreOptions): Promise<OpenedStore> {
  const db = new Level<string, string>(join(opts.dir, 'meta'), { valueEncoding: 'utf8' })
  await db.open()
  const blobs = opts.blobs
  const tree = new Tree(db, blobs)
  let closed = false
  const alive = (): void => {
    if (closed) throw new StorageError('STORE_CLOSED', `store '${opts.name}' is closed`)
  }
  // After close(), every call rejects (or its iterator throws) with STORE_CLOSED; nothing throws synchronously.
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      alive()
      return fn(...args)
    }
  const guardIter = <A extends unknown[], T>(fn: (...args: A) => AsyncIterable<T>) =>
    async function* (...args: A): AsyncIterable<T> {
      alive()
      yield* fn(...args)
    }
  const state = createSideState(db, { guard, guardIter })

  async function putBlob(body: Readable | AsyncIterable<Uint8Array>, expect: { digest?: string; size?: number } = {}): Promise<BlobRef> {
    alive()
    if (expect.digest !== undefined) assertDigest(expect.digest)
    if (expect.size !== undefined && (!Number.isSafeInteger(expect.size) || expect.size < 0)) {
      throw new StorageError('SIZE_MISMATCH', `expected size ${expect.size} is not a byte count`)
    }
    const staged = await blobs.stage(body, expect)
    if (expect.size !== undefined && staged.size !== expect.size) {
      await staged.discard()
      throw new StorageError('SIZE_MISMATCH', `received ${staged.size} bytes, expected ${expect.size}`)
    }
    if (expect.digest !== undefined && staged.digest !== expect.digest) {
      await staged.discard()
      throw new StorageError('DIGEST_MISMATCH', `received bytes hash to ${staged.digest}, expected ${expect.digest}`)
    }
    await staged.publish()
    return { digest: staged.digest, size: staged.size }
  }

  const uploads = createUploads({ dir: join(opts.dir, 'uploads'), state, blobs, alive, putStream: (body, expect) => putBlob(body, expect) })
  await blobs.sweep()
  await uploads.sweep(opts.uploadTtlMs !== undefined ? { maxAgeMs: opts.uploadTtlMs } : {})

  const store: OpenedStore = {
    name: opts.name,
    putBlob,
    async getBlob(digest: string, range?: ByteRange) {
      alive()
      assertDigest(digest)
      return blobs.read(digest, range)
    },
    async openBlobFile(digest: string) {
      alive()
      assertDigest(digest)
      return blobs.openFile ? blobs.openFile(digest) : undefined
    },
    async statBlob(digest: string) {
      alive()
      assertDigest(digest)
      const stat = await blobs.stat(digest)
      return stat ? { digest, size: stat.size } : undefined
    },
    async blobUrl(digest: string, urlOpts: BlobUrlOptions) {
      alive()
      assertDigest(digest)
      return blobs.presignGet ? blobs.presignGet(digest, urlOpts) : undefined
    },
    async deleteBlob(digest: string) {
      alive()
      assertDigest(digest)
      await blobs.delete(digest)
    },
    get: guard((path: string, at?: string) => tree.get(path, at)),
    list: guardIter((prefix: string, listOpts?: ListOptions) => tree.list(prefix, listOpts)),
    commit: guard((changes: readonly Change[], meta: { author: string; message: string }) => tree.commit(changes, meta)),
    log: guardIter((logOpts?: LogOptions) => tree.log(logOpts)),
    head: guard(() => tree.head()),
    getCommit: guard((id: string) => tree.getCommit(id)),
    state,
    uploads,
    verify: guard((verifyOpts?: { rehash?: boolean }) => verifyStore(tree, blobs, verifyOpts)),
    async close() {
      if (closed) return
      closed = true
      await db.close()
      await blobs.close?.()
    },
  }
  return store
}

