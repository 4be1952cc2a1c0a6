import { S3Client } from '@aws-sdk/client-s3'

export interface S3ClientOptions {
  /** e.g. `http://127.0.0.1:9000`; omit for AWS (the SDK picks the endpoint from the region). */
  readonly endpoint?: string
  /** Default: `us-east-1` with an endpoint, else the SDK's chain (AWS_REGION, shared config). */
  readonly region?: string
  /** `bucket` in the path instead of the host name (MinIO, Garage, Ceph RGW, s3rver). Default: true with an endpoint. */
  readonly forcePathStyle?: boolean
  /** A profile of the shared AWS config/credentials files (instead of AWS_PROFILE). */
  readonly profile?: string
  /** Omit to use the SDK's credential chain (environment, shared files, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  /**
   * Flexible checksums: 'WHEN_REQUIRED' (default) works everywhere; 'WHEN_SUPPORTED' is the SDK's default for AWS,
   * and makes servers that do not understand aws-chunked uploads store the framing as data.
   */
  readonly checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED'
  /** Tries per request, with exponential backoff and jitter on 5xx, throttling, timeouts and resets. Default 5. */
  readonly maxAttempts?: number
  /** Per-request socket idle limit. Default 60 s. */
  readonly requestTimeoutMs?: number
}

/** An S3 client set up for `s3Blobs`: checksums an S3-compatible endpoint accepts, retries with backoff. */
export function s3Client(opts: S3ClientOptions = {}): S3Client {
  const region = opts.region ?? (opts.endpoint ? 'us-east-1' : undefined)
  const checksums = opts.checksums ?? 'WHEN_REQUIRED'
  return new S3Client({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(region ? { region } : {}),
    forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    retryMode: 'standard',
    maxAttempts: opts.maxAttempts ?? 5,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: opts.requestTimeoutMs ?? 60_000 },
  })
}
