/** Stable error codes of the everlock app. Codes never change within a major version; messages may. */
export type EverlockErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_WRITE_FAILED'
  | 'ADMIN_REQUIRED'
  | 'INSTANCE_EXISTS'
  | 'INSTANCE_UNKNOWN'
  | 'INSTANCE_NAME_INVALID'
  | 'STORE_NAME_INVALID'
  | 'STORE_IN_USE'
  | 'VHOST_INVALID'
  | 'VHOST_TAKEN'
  | 'VHOST_LAST'
  | 'DATA_DIR_UNSAFE'
  | 'CLOSED'
  | 'TLS_NOT_ACME'
  | 'TLS_CERT_VALID'

/** One problem found in a configuration file: where it is and what was expected there. */
export interface ConfigProblem {
  readonly file: string
  /** Dotted key, e.g. `instances.second.vhosts[0]`; `(file)` for the file as a whole. */
  readonly key: string
  readonly expected: string
}

/** The one error class of the app; `message` is a single line fit for a console or a log. */
export class EverlockError extends Error {
  override readonly name = 'EverlockError'
  readonly code: EverlockErrorCode
  /** For CONFIG_INVALID: every problem found, not just the first. */
  readonly problems: readonly ConfigProblem[]

  constructor(code: EverlockErrorCode, message: string, options?: { cause?: unknown; problems?: readonly ConfigProblem[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.problems = options?.problems ?? []
  }
}

export function isEverlockError(err: unknown, code?: EverlockErrorCode): err is EverlockError {
  return err instanceof EverlockError && (code === undefined || err.code === code)
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.key}: expected ${p.expected}`
}
