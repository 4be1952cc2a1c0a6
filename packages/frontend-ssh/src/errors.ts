/** Stable error codes of @everlock/frontend-ssh. */
export type SshErrorCode = 'HOST_KEY_INVALID' | 'HOST_KEY_UNREADABLE' | 'LISTEN_INVALID'

export class SshError extends Error {
  override readonly name = 'SshError'
  readonly code: SshErrorCode

  constructor(code: SshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isSshError(err: unknown, code?: SshErrorCode): err is SshError {
  return err instanceof SshError && (code === undefined || err.code === code)
}
