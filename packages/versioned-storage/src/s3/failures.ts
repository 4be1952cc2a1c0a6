// Telling S3 failures apart: the SDK's errors carry `name` (the S3 error code) and `$metadata.httpStatusCode`.
import { StorageError } from '../errors'

interface SdkError {
  name?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
}

export function httpStatus(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode
}

export function isNotFound(err: unknown): boolean {
  const name = (err as SdkError | undefined)?.name
  return httpStatus(err) === 404 || name === 'NoSuchKey' || name === 'NotFound'
}

/** The endpoint does not implement the call (s3rver: ListMultipartUploads 501, AbortMultipartUpload 405). */
export function isUnsupported(err: unknown): boolean {
  const status = httpStatus(err)
  return status === 501 || status === 405
}

export function isRangeNotSatisfiable(err: unknown): boolean {
  return httpStatus(err) === 416 || (err as SdkError | undefined)?.name === 'InvalidRange'
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED'])

/** No HTTP answer at all: refused, reset, timed out, unknown host. */
export function isNetworkFailure(err: unknown): boolean {
  const e = err as (SdkError & { cause?: unknown }) | undefined
  if (!e) return false
  if (e.code && NETWORK_CODES.has(e.code)) return true
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true
  return e.cause !== undefined && e.cause !== err && isNetworkFailure(e.cause)
}

/** Worth another try of a streamed read: the connection broke or the server had a passing fault. */
export function isTransient(err: unknown): boolean {
  const status = httpStatus(err)
  return isNetworkFailure(err) || (status !== undefined && (status >= 500 || status === 429)) || (err as SdkError).code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as SdkError).name === 'ShortBody'
}

/**
 * An error of the SDK (it carries `$metadata`, also for network failures after the retries) becomes BACKEND_FAILED
 * with the original as `cause`; StorageErrors and anything else (a caller's own body failing) pass unchanged.
 * `download: true` also wraps a broken response body (the object store's connection, not the caller's).
 */
export function asBackendFailure(err: unknown, what: string, opts: { download?: boolean } = {}): unknown {
  if (err instanceof StorageError) return err
  const e = err as (SdkError & { message?: string }) | undefined
  if (e?.$metadata === undefined && !(opts.download && isTransient(err))) return err
  const status = httpStatus(err)
  return new StorageError('BACKEND_FAILED', `${what} failed: ${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}${e?.message ? `: ${e.message}` : ''}`, { cause: err })
}
