import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fsBlobs, openStores, type Stores } from '@everlock/versioned-storage'
import { blobDriverConformance, storeConformance } from '@everlock/versioned-storage/testing'

blobDriverConformance('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-fs-driver-'))
  return { driver: fsBlobs({ dir }), cleanup: () => rm(dir, { recursive: true, force: true }) }
})

storeConformance('level + fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-store-'))
  let stores: Stores = await openStores({ dir })
  return {
    get stores() {
      return stores
    },
    async reopen() {
      await stores.close()
      stores = await openStores({ dir })
      return stores
    },
    async cleanup() {
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
