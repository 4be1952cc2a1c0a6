/** Stable error codes of @everlock/auth-grants. Codes never change within a major version; messages may. */
export type AuthErrorCode =
  | 'NAME_INVALID'
  | 'USER_EXISTS'
  | 'USER_UNKNOWN'
  | 'USER_BUILTIN'
  | 'PASSWORD_INVALID'
  | 'ROLE_INVALID'
  | 'PATH_INVALID'
  | 'GROUP_EXISTS'
  | 'GROUP_UNKNOWN'
  | 'GRANT_UNKNOWN'
  | 'KEY_INVALID'
  | 'KEY_EXISTS'
  | 'KEY_UNKNOWN'
  | 'TOKEN_UNKNOWN'
  | 'SUBJECT_INVALID'
  | 'EXPIRY_INVALID'
  | 'LAST_ADMIN'
  | 'PASSWORD_WRONG'

/** The one error class of this package. Tests and frontends look at `code`; `message` is one line for humans. */
export class AuthError extends Error {
  override readonly name = 'AuthError'
  readonly code: AuthErrorCode

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isAuthError(err: unknown, code?: AuthErrorCode): err is AuthError {
  return err instanceof AuthError && (code === undefined || err.code === code)
}
