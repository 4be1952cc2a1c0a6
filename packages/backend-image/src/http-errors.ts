import type { ServerResponse } from 'node:http'
import { ImageError } from './errors.js'
import { sendJson } from './http.js'

export interface HttpError {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly headers?: Record<string, string>
  readonly body?: Record<string, unknown>
}

/** The one table from error codes (the library's, the media layer's, the store's) to HTTP statuses. */
const STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  CURSOR_INVALID: 400,
  FILENAME_INVALID: 400,
  EMPTY_FILE: 400,
  UPLOAD_ABORTED: 400,
  RECORD_INVALID: 400,
  ALBUM_INVALID: 400,
  ALBUM_ITEMS_UNKNOWN: 400,
  SHARE_INVALID: 400,
  LOGIN_FAILED: 401,
  CSRF_FAILED: 403,
  CROSS_SITE: 403,
  NO_ACCESS: 403,
  SHARE_SCOPE: 403,
  ALBUM_NOT_FOUND: 404,
  SHARE_NOT_FOUND: 404,
  SHARE_EXPIRED: 410,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ASSET_NOT_FOUND: 404,
  DERIVATIVE_PENDING: 404,
  DERIVATIVE_FAILED: 404,
  FORMAT_UNAVAILABLE: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  BODY_TOO_LARGE: 413,
  MEDIA_TOO_LARGE: 413,
  MEDIA_UNSUPPORTED: 415,
  CONTENT_TYPE_UNSUPPORTED: 415,
  RANGE_NOT_SATISFIABLE: 416,
  MEDIA_CORRUPT: 422,
  LIBRARY_CLOSED: 503,
  MEDIA_TOOL_FAILED: 503,
  NO_SPACE: 507,
}

/** Client disconnects: nobody is listening for an answer, but the code is kept stable for logs and tests. */
const ABORTS = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ABORT_ERR'])

const STORAGE_MESSAGES: Readonly<Record<string, string>> = {
  NO_SPACE: 'insufficient storage: the library is out of disk space',
}

/** The HTTP form of an error, or undefined for the server's own failures (a 500). */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof ImageError) {
    return { status: STATUS[err.code]!, code: err.code, message: err.message, ...(err.extra?.headers ? { headers: err.extra.headers } : {}), ...(err.extra?.body ? { body: err.extra.body } : {}) }
  }
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  if (ABORTS.has(code)) return { status: 400, code: 'UPLOAD_ABORTED', message: 'the request body ended early' }
  const status = STATUS[code]
  if (status === undefined) return undefined
  const isMedia = (err as Error).name === 'MediaError'
  const message = STORAGE_MESSAGES[code] ?? (isMedia ? (err as Error).message : code)
  return { status, code, message }
}

export function sendHttpError(res: ServerResponse, err: HttpError, method: string | undefined): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message }, ...err.body }, err.headers, method === 'HEAD')
}
