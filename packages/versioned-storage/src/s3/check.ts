import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3'
import { StorageError } from '../errors'
import { httpStatus, isNetworkFailure } from './failures'

/** The endpoint as a person would name it: its URL, or AWS and the region when the SDK picks the endpoint. */
export async function describeEndpoint(client: S3Client): Promise<string> {
  const config = client.config as { endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path?: string }>; region: () => Promise<string> }
  if (typeof config.endpoint === 'function') {
    const ep = await config.endpoint()
    const path = ep.path && ep.path !== '/' ? ep.path : ''
    return `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}${path}`
  }
  return `AWS S3 (${await config.region().catch(() => 'no region')})`
}

/**
 * HEAD the bucket: a missing bucket, refused credentials or an endpoint that does not answer is a StorageError
 * naming both, instead of a failure on the first write.
 */
export async function checkBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }))
  } catch (err) {
    const where = `bucket '${bucket}' at ${await describeEndpoint(client).catch(() => 'an unknown endpoint')}`
    const status = httpStatus(err)
    if (status === 404) throw new StorageError('BUCKET_MISSING', `${where} does not exist`, { cause: err })
    if (status === 401 || status === 403) throw new StorageError('BUCKET_FORBIDDEN', `${where} refused the credentials (HTTP ${status})`, { cause: err })
    if (status === undefined || isNetworkFailure(err)) {
      throw new StorageError('BUCKET_UNREACHABLE', `${where} is unreachable: ${(err as Error).message || (err as Error).name}`, { cause: err })
    }
    throw new StorageError('BACKEND_FAILED', `${where} answered HTTP ${status} to HEAD`, { cause: err })
  }
}
