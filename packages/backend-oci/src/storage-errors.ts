import { OciError } from './errors'

/**
 * The one place where store errors become OCI errors. Anything without a known code is the server's own
 * failure and stays a 500.
 */
export function fromStorageError(err: unknown): OciError | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  switch (code) {
    case 'BLOB_UNKNOWN':
      return new OciError(404, 'BLOB_UNKNOWN', 'blob unknown to registry')
    case 'DIGEST_INVALID':
    case 'DIGEST_MISMATCH':
      return new OciError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
    case 'SIZE_MISMATCH':
      return new OciError(400, 'SIZE_INVALID', 'provided length did not match content length')
    case 'RANGE_INVALID':
      return new OciError(416, 'SIZE_INVALID', 'requested range not satisfiable')
    case 'UPLOAD_UNKNOWN':
      return new OciError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
    case 'UPLOAD_OFFSET_INVALID':
      return new OciError(416, 'BLOB_UPLOAD_INVALID', 'chunk out of order')
    case 'NO_SPACE':
      return new OciError(507, 'BLOB_UPLOAD_INVALID', 'insufficient storage: the registry is out of disk space')
    case 'PATH_INVALID':
      return new OciError(400, 'NAME_INVALID', 'invalid repository name')
    case 'ECONNRESET':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'ABORT_ERR':
      return new OciError(400, 'BLOB_UPLOAD_INVALID', 'the request body ended early')
    default:
      return undefined
  }
}
