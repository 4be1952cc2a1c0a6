import { ListMultipartUploadsCommand, ListObjectsV2Command, type _Object, type MultipartUpload } from '@aws-sdk/client-s3'
import type { S3Context } from './context'

/** Every object under a prefix, page by page (ListObjectsV2 with continuation tokens). */
export async function* listObjects(ctx: S3Context, prefix: string): AsyncGenerator<_Object> {
  let token: string | undefined
  do {
    const page = await ctx.client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }))
    yield* page.Contents ?? []
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
}

/** Every unfinished multipart upload under a prefix. Throws on endpoints that do not list them (s3rver: 501). */
export async function* listMultipartUploads(ctx: S3Context, prefix: string): AsyncGenerator<MultipartUpload> {
  let keyMarker: string | undefined
  let uploadIdMarker: string | undefined
  for (;;) {
    const page = await ctx.client.send(
      new ListMultipartUploadsCommand({ Bucket: ctx.bucket, Prefix: prefix, ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker } : {}) }),
    )
    yield* page.Uploads ?? []
    if (!page.IsTruncated) return
    keyMarker = page.NextKeyMarker
    uploadIdMarker = page.NextUploadIdMarker
  }
}
