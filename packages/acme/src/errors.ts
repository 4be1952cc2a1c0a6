/** Stable codes of @everlock/acme; messages may change, codes do not. */
export type AcmeErrorCode =
  /** The server answered with an RFC 7807 problem document (`problem.type` says which). */
  | 'ACME_PROBLEM'
  /** The server could not be reached, or answered something that is not ACME. */
  | 'ACME_UNREACHABLE'
  /** An order or authorization became `invalid` (the challenge failed). */
  | 'ACME_ORDER_INVALID'
  /** An order or authorization did not settle in time. */
  | 'ACME_TIMEOUT'
  /** A certificate or key that cannot be used (bad PEM, key does not match, expired). */
  | 'CERT_INVALID'
  /** Options that cannot work (no directory URL, a bad domain name). */
  | 'OPTIONS_INVALID'
  /** The manager was closed. */
  | 'CLOSED'

/** The RFC 7807 problem an ACME server sent. */
export interface AcmeProblem {
  readonly type: string
  readonly detail?: string
  readonly status?: number
}

export class AcmeError extends Error {
  override readonly name = 'AcmeError'
  constructor(
    readonly code: AcmeErrorCode,
    message: string,
    options?: { cause?: unknown; problem?: AcmeProblem },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.problem = options?.problem
  }
  readonly problem: AcmeProblem | undefined
}

export const isAcmeError = (err: unknown, code?: AcmeErrorCode): err is AcmeError =>
  err instanceof AcmeError && (code === undefined || err.code === code)
