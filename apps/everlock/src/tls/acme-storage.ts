import { Readable } from 'node:stream'
import type { AcmeStorage } from '@everlock/acme'
import type { Store } from '@everlock/versioned-storage'

/** The author of the commits ACME makes in `everlock-system`. */
export const ACME_AUTHOR = 'everlock-acme'

/** ACME's account key and certificates in the `everlock-system` store: each write is one commit. */
export function storeAcmeStorage(store: Store): AcmeStorage {
  return {
    async read(path) {
      const entry = await store.get(path)
      if (!entry) return undefined
      const chunks: Buffer[] = []
      for await (const chunk of await store.getBlob(entry.digest)) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    async write(files, message) {
      const changes = []
      for (const [path, text] of Object.entries(files)) {
        const blob = await store.putBlob(Readable.from([Buffer.from(text, 'utf8')]))
        changes.push({ op: 'put' as const, path, digest: blob.digest, size: blob.size })
      }
      await store.commit(changes, { author: ACME_AUTHOR, message })
    },
  }
}
