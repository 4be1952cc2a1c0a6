import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { blobDriverConformance, storeConformance } from '@everlock/versioned-storage/testing'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'

let server: S3rver
beforeAll(async () => {
  server = await startS3rver()
  await server.createBucket('conformance')
})
afterAll(async () => {
  await server?.stop()
})

let n = 0
// Each case gets its own prefix in the one bucket: a fresh, empty driver without a new server.
const fresh = (): string => `case-${process.pid}-${++n}/`

blobDriverConformance('s3 (s3rver)', async () => ({
  driver: s3Blobs({ client: server.client(), bucket: 'conformance', prefix: fresh() }),
  cleanup: async () => undefined,
}))

// Every write of unknown digest above one part linked from its digest key instead of copied there.
blobDriverConformance('s3 (s3rver), large writes linked', async () => ({
  driver: s3Blobs({ client: server.client(), bucket: 'conformance', prefix: fresh(), partSize: 5 * 1024 * 1024, linkAbove: 0 }),
  cleanup: async () => undefined,
}))

storeConformance('level + s3 (s3rver)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-s3-store-'))
  const prefix = fresh()
  const client = server.client()
  const open = (): Promise<Stores> => openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: 'conformance', prefix: `${prefix}${name}/` }) })
  let stores = await open()
  return {
    get stores() {
      return stores
    },
    async reopen() {
      await stores.close()
      stores = await open()
      return stores
    },
    async cleanup() {
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
