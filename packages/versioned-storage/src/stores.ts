import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlobDriver, Store, Stores } from './types'
import { StorageError } from './errors'
import { fsBlobs } from './fs-blobs'
import { openStore, type OpenedStore } from './store'

export interface OpenStoresOptions {
  /** The data directory; stores live in `<dir>/stores/<name>/`. */
  readonly dir: string
  /** Where a store's bytes go; default: the local disk under the store's directory. */
  readonly blobDriver?: (storeName: string, storeDir: string) => BlobDriver
  /** Uploads untouched for longer than this are removed when a store opens. */
  readonly uploadTtlMs?: number
}

const STORE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

export function assertStoreName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STORE_NAME.test(name)) {
    throw new StorageError('STORE_NAME_INVALID', `invalid store name '${String(name).slice(0, 80)}': use a-z, 0-9, '.', '_', '-' (max 64)`)
  }
}

/** Open the named stores of one data directory. */
export async function openStores(opts: OpenStoresOptions): Promise<Stores> {
  const root = join(opts.dir, 'stores')
  await mkdir(root, { recursive: true })
  const open = new Map<string, Promise<OpenedStore>>()
  const driverFor = opts.blobDriver ?? ((_name: string, storeDir: string) => fsBlobs({ dir: join(storeDir, 'blobs') }))
  let closed = false

  return {
    open(name: string): Promise<Store> {
      if (closed) return Promise.reject(new StorageError('STORE_CLOSED', 'the stores are closed'))
      try {
        assertStoreName(name)
      } catch (err) {
        return Promise.reject(err)
      }
      let pending = open.get(name)
      if (!pending) {
        const dir = join(root, name)
        pending = mkdir(dir, { recursive: true }).then(() =>
          openStore({ name, dir, blobs: driverFor(name, dir), ...(opts.uploadTtlMs !== undefined ? { uploadTtlMs: opts.uploadTtlMs } : {}) }),
        )
        pending.catch(() => open.delete(name))
        open.set(name, pending)
      }
      return pending
    },
    async list() {
      const names = await readdir(root).catch(() => [] as string[])
      return names.filter((n) => STORE_NAME.test(n)).sort()
    },
    async close() {
      closed = true
      const all = [...open.values()]
      open.clear()
      await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()))
    },
  }
}
