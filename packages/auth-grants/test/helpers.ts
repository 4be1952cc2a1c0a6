import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStores } from '@everlock/versioned-storage'
import type { Store, Stores } from '@everlock/versioned-storage'
import { createAuth, type AuthOptions } from '@everlock/auth-grants'
import type { Auth } from '@everlock/auth-grants'

/** Small scrypt cost for tests where timing is not the point (the default is N=2^15). */
export const FAST_KDF = { N: 2 ** 10 }

export interface System {
  readonly dir: string
  stores: Stores
  store: Store
  auth: Auth
  /** Close and open the data directory again; returns a fresh Auth over it. */
  reopen(opts?: Partial<AuthOptions>): Promise<Auth>
  close(): Promise<void>
}

/** A real versioned-storage data directory in a temp dir, with `everlock-system` opened for auth. */
export async function openSystem(opts: Partial<AuthOptions> = {}): Promise<System> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-grants-'))
  const stores = await openStores({ dir })
  const store = await stores.open('everlock-system')
  const auth = await createAuth({ store, kdf: FAST_KDF, ...opts })
  const sys: System = {
    dir,
    stores,
    store,
    auth,
    async reopen(more = {}) {
      await sys.stores.close()
      sys.stores = await openStores({ dir })
      sys.store = await sys.stores.open('everlock-system')
      sys.auth = await createAuth({ store: sys.store, kdf: FAST_KDF, ...opts, ...more })
      return sys.auth
    },
    async close() {
      await sys.stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return sys
}

export const admin = { by: 'admin' }

/** All commits of the store, newest first. */
export async function commits(store: Store): Promise<Array<{ author: string; message: string; paths: readonly string[] }>> {
  const out = []
  for await (const c of store.log()) out.push({ author: c.author, message: c.message, paths: c.paths })
  return out
}

