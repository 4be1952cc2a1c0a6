/** Stable codes; messages may change, codes will not. */
export type HttpFrontendErrorCode =
  | 'LISTEN_ADDRESS_INVALID'
  | 'LISTEN_FAILED'
  | 'VHOST_INVALID'
  | 'ACCESS_PATH_INVALID'
  | 'NEED_INVALID'
  | 'OPTIONS_INVALID'
  | 'CLOSED'
  | 'TLS_CERT_INVALID'

export class HttpFrontendError extends Error {
  readonly code: HttpFrontendErrorCode

  constructor(code: HttpFrontendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HttpFrontendError'
    this.code = code
  }
}

export function isHttpFrontendError(err: unknown): err is HttpFrontendError {
  return err instanceof HttpFrontendError
}
