import type { S3Client } from '@aws-sdk/client-s3'
import type { KeyLayout } from './keys'
import type { PartPool } from './part-pool'

/** What every S3 operation of one driver shares. */
export interface S3Context {
  readonly client: S3Client
  readonly bucket: string
  readonly keys: KeyLayout
  /** Bytes per uploaded part (≥ 5 MiB); a blob that fits in one part is one PutObject. */
  readonly partSize: number
  /** Parts uploading at once per blob. */
  readonly queueSize: number
  /** Largest object copied with one CopyObject; above it, UploadPartCopy (S3's limit is 5 GiB). */
  readonly copyLimit: number
  readonly copyPartSize: number
  /** Writes of unknown digest from this size on are linked from their digest key, not copied there. */
  readonly linkAbove: number
  /** Times a broken download resumes from the byte it reached. */
  readonly readRetries: number
  readonly pool: PartPool
}
