import { GetObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { BlobUrlOptions } from '../types'
import type { S3Context } from './context'
import { locateBlob } from './links'

/** SigV4 query-string signatures are valid for at most 7 days. */
const MAX_EXPIRY_S = 7 * 24 * 3600

/**
 * A presigned GET of a blob's object (the linked one for a link: one HEAD tells), signed locally, valid `expiresInSeconds`,
 * with the response-content-* overrides the caller asks for (so a download keeps its file name and type).
 */
export async function presignBlobGet(ctx: S3Context, digest: string, opts: BlobUrlOptions): Promise<string> {
  const ttl = opts.expiresInSeconds
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_EXPIRY_S) {
    throw new RangeError(`expiresInSeconds must be a whole number from 1 to ${MAX_EXPIRY_S}, got ${ttl}`)
  }
  const command = new GetObjectCommand({
    Bucket: ctx.bucket,
    Key: (await locateBlob(ctx, digest))?.key ?? ctx.keys.blob(digest),
    ...(opts.contentType !== undefined ? { ResponseContentType: opts.contentType } : {}),
    ...(opts.contentDisposition !== undefined ? { ResponseContentDisposition: opts.contentDisposition } : {}),
    ...(opts.cacheControl !== undefined ? { ResponseCacheControl: opts.cacheControl } : {}),
  })
  return getSignedUrl(ctx.client, command, { expiresIn: ttl })
}
