// `@everlock/versioned-storage/s3`: the S3 blob driver. A subpath of its own, so only code that stores bytes on
// object storage loads the AWS SDK.
export { s3Blobs, type S3BlobsOptions } from './s3/driver'
export { s3Client, type S3ClientOptions } from './s3/client'
export { checkBucket, describeEndpoint } from './s3/check'
