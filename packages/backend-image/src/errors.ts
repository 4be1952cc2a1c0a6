/** Stable codes of @everlock/backend-image; they never change within a major version (messages may). */
export type ImageErrorCode =
  | 'BAD_REQUEST'
  | 'CURSOR_INVALID'
  | 'FILENAME_INVALID'
  | 'EMPTY_FILE'
  | 'UPLOAD_ABORTED'
  | 'RECORD_INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ASSET_NOT_FOUND'
  | 'DERIVATIVE_PENDING'
  | 'DERIVATIVE_FAILED'
  | 'FORMAT_UNAVAILABLE'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'BODY_TOO_LARGE'
  | 'CONTENT_TYPE_UNSUPPORTED'
  | 'RANGE_NOT_SATISFIABLE'
  | 'LIBRARY_CLOSED'
  | 'CSRF_FAILED'
  | 'CROSS_SITE'
  | 'LOGIN_FAILED'
  | 'NO_ACCESS'
  | 'TOO_MANY_REQUESTS'
  | 'UNAVAILABLE'
  | 'ALBUM_NOT_FOUND'
  | 'ALBUM_INVALID'
  | 'ALBUM_ITEMS_UNKNOWN'
  | 'SHARE_INVALID'
  | 'SHARE_NOT_FOUND'
  | 'SHARE_EXPIRED'
  | 'SHARE_SCOPE'

/** A refusal or failure of the library, with a stable code; turned into HTTP only in `http-errors.ts`. */
export class ImageError extends Error {
  override readonly name = 'ImageError'
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    readonly extra?: { readonly headers?: Record<string, string>; readonly body?: Record<string, unknown>; readonly cause?: unknown },
  ) {
    super(message, extra?.cause === undefined ? undefined : { cause: extra.cause })
  }
}
