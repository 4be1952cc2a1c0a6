import { join } from 'node:path'
import { fsBlobs, type BlobDriver } from '@everlock/versioned-storage'
import { targetOf, type StorageConfig } from './config/storage-config.js'
import type { Log } from './log.js'

/** GETs of a store's blobs answer 307 to a presigned URL valid this long (`redirect_gets` in storage.toml). */
export interface RedirectGets {
  readonly expiresInSeconds: number
}

export interface BlobDrivers {
  /** The factory `openStores` takes: each store on its configured target. */
  readonly driverFor: (store: string, storeDir: string) => BlobDriver
  /** How long the presigned URLs of redirected GETs last for this store, or undefined: no redirects. */
  readonly redirectFor: (store: string) => RedirectGets | undefined
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
      const redirects = target.redirectTtlSeconds !== undefined ? `, GETs redirected to presigned URLs (${target.redirectTtlSeconds} s)` : ''
      void describeEndpoint(client).then((endpoint) => log.info(`store ${store}: blobs in s3 bucket ${target.bucket} at ${endpoint}, prefix ${prefix}${redirects}`))
      return s3Blobs({ client, bucket: target.bucket, prefix })
    },
    redirectFor(store) {
      const ttl = targetOf(config, store)?.redirectTtlSeconds
      return ttl === undefined ? undefined : { expiresInSeconds: ttl }
    },
    close() {
      for (const client of clients.values()) client.destroy()
    },
  }
}
