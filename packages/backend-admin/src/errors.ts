/** Stable error codes of @everlock/backend-admin. Codes never change within a major version; messages may. */
export type AdminErrorCode =
  | 'UNKNOWN_COMMAND'
  | 'USAGE'
  | 'PERMISSION_DENIED'
  | 'QUOTE_UNTERMINATED'
  | 'LINE_TOO_LONG'
  | 'ROLE_INVALID'
  | 'ARGUMENT_INVALID'
  | 'NOT_ENABLED'
  | 'NOT_FOUND'
  | 'CONTROL_CHARACTER'

/** The one error class of this package; `message` is the one line the console shows. */
export class AdminError extends Error {
  override readonly name = 'AdminError'
  readonly code: AdminErrorCode

  constructor(code: AdminErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isAdminError(err: unknown, code?: AdminErrorCode): err is AdminError {
  return err instanceof AdminError && (code === undefined || err.code === code)
}

/**
 * An error another package raised on purpose: it carries a stable string `code` and a one-line message.
 * Node system errors (ENOENT, EACCES…) also have a `code` but are not meant for console users.
 */
export function isCodedError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false
  const e = err as { code?: unknown; errno?: unknown; syscall?: unknown }
  return typeof e.code === 'string' && e.errno === undefined && e.syscall === undefined
}
