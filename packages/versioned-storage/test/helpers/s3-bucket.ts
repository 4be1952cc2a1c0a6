// One s3rver process and one empty bucket for a test file: started before its tests, stopped after them.
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'

export interface S3Bucket {
  readonly server: S3rver
  /** A client of its own, for looking at (or planting) objects past the driver. */
  readonly raw: S3Client
  readonly bucket: string
}

export function useS3rverBucket(bucket: string): S3Bucket {
  let server: S3rver | undefined
  let raw: S3Client | undefined
  beforeAll(async () => {
    server = await startS3rver()
    await server.createBucket(bucket)
    raw = server.client()
  })
  afterAll(async () => {
    await server?.stop()
  })
  return {
    bucket,
    get server() {
      return server!
    },
    get raw() {
      return raw!
    },
  }
}
