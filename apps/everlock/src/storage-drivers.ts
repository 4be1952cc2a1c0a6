import { join } from 'node:path'
import { fsBlobs, type BlobDriver } from '@everlock/versioned-storage'
import { targetOf, type StorageConfig } from './config/storage-config.js'
import type { Log } from './log.js'

export interface BlobDrivers {
  /** The factory `openStores` takes: each store on its configured target. */
  readonly driverFor: (store: string, storeDir: string) => BlobDriver
  close(): void
}

/**
 * Blob drivers from `config/storage.toml`. The S3 driver (and with it the AWS SDK) is loaded only when some
 * target is S3; credentials come from the SDK's chain and are never logged.
 */
export async function blobDrivers(config: StorageConfig, log: Log): Promise<BlobDrivers | undefined> {
  if (config.targets.length === 0) return undefined
  const { s3Blobs, s3Client, describeEndpoint } = await import('@everlock/versioned-storage/s3')
  const clients = new Map(
    config.targets.map((t) => [
      t.name,
      s3Client({
        ...(t.endpoint !== undefined ? { endpoint: t.endpoint } : {}),
        ...(t.region !== undefined ? { region: t.region } : {}),
        ...(t.pathStyle !== undefined ? { forcePathStyle: t.pathStyle } : {}),
        ...(t.profile !== undefined ? { profile: t.profile } : {}),
      }),
    ]),
  )
  return {
    driverFor(store, storeDir) {
      const target = targetOf(config, store)
      if (!target) return fsBlobs({ dir: join(storeDir, 'blobs') })
      const client = clients.get(target.name)!
      const prefix = `${target.prefix}${store}/`
      void describeEndpoint(client).then((endpoint) => log.info(`store ${store}: blobs in s3 bucket ${target.bucket} at ${endpoint}, prefix ${prefix}`))
      return s3Blobs({ client, bucket: target.bucket, prefix })
    },
    close() {
      for (const client of clients.values()) client.destroy()
    },
  }
}
