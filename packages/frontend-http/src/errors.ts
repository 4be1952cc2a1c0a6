/** Stable codes; messages may change, codes will not. */
export type HttpFrontendErrorCode =
  | 'LISTEN_ADDRESS_INVALID'
  | 'LISTEN_FAILED'
  | 'VHOST_INVALID'
  | 'ACCESS_PATH_INVALID'
  | 'NEED_INVALID'
  | 'OPTIONS_INVALID'
  | 'CLOSED'
  | 'LOGIN_THROTTLED'
  | 'LOGIN_OVERLOADED'
  | 'TLS_CERT_INVALID'

export class HttpFrontendError extends Error {
  readonly code: HttpFrontendErrorCode
  /** For `LOGIN_THROTTLED` / `LOGIN_OVERLOADED`: when the client may try again (`Retry-After`). */
  readonly retryAfterSeconds: number | undefined

  constructor(code: HttpFrontendErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options)
    this.name = 'HttpFrontendError'
    this.code = code
    this.retryAfterSeconds = options?.retryAfterSeconds
  }
}

export function isHttpFrontendError(err: unknown): err is HttpFrontendError {
  return err instanceof HttpFrontendError
}

/** The status a busy login answers with: 429 for one address's excess, 503 for the whole server's. */
export function busyStatus(err: unknown): 429 | 503 | undefined {
  if (!isHttpFrontendError(err)) return undefined
  return err.code === 'LOGIN_THROTTLED' ? 429 : err.code === 'LOGIN_OVERLOADED' ? 503 : undefined
}
