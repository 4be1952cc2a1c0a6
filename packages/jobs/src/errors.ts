/** Stable error codes of @everlock/jobs. Codes never change within a major version; messages may. */
export type JobsErrorCode =
  | 'KIND_INVALID'
  | 'KEY_INVALID'
  | 'KEY_CONFLICT'
  | 'PAYLOAD_INVALID'
  | 'OPTION_INVALID'
  | 'JOB_UNKNOWN'
  | 'JOB_NOT_FAILED'
  | 'HANDLER_EXISTS'
  | 'QUEUE_CLOSED'
  | 'WAIT_TIMEOUT'

export class JobsError extends Error {
  override readonly name = 'JobsError'
  readonly code: JobsErrorCode

  constructor(code: JobsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isJobsError(err: unknown, code?: JobsErrorCode): err is JobsError {
  return err instanceof JobsError && (code === undefined || err.code === code)
}
