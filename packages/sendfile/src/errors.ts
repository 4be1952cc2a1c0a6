/** Stable codes: CLIENT_GONE (the peer closed or reset), STALLED (the peer read nothing for too long), FILE_SHORT (the file ended early), IO (anything else). */
export type SendfileErrorCode = 'CLIENT_GONE' | 'STALLED' | 'FILE_SHORT' | 'IO'

export class SendfileError extends Error {
  override readonly name = 'SendfileError'
  constructor(
    readonly code: SendfileErrorCode,
    message: string,
    /** Body bytes the peer was handed before the failure. */
    readonly sent: number,
  ) {
    super(message)
  }
}

/** Maps the addon's errno names to stable codes. */
export function fromNativeCode(code: string, sent: number): SendfileError {
  switch (code) {
    case 'ECANCELED':
    case 'EPIPE':
    case 'ECONNRESET':
    case 'ENOTCONN':
    case 'EBADF':
      return new SendfileError('CLIENT_GONE', `the connection closed after ${sent} body bytes (${code})`, sent)
    case 'ETIMEDOUT':
      return new SendfileError('STALLED', `the client read nothing for too long after ${sent} body bytes`, sent)
    case 'EOF':
      return new SendfileError('FILE_SHORT', `the file ended after ${sent} bytes, before the promised length`, sent)
    default:
      return new SendfileError('IO', `sendfile failed after ${sent} body bytes (${code})`, sent)
  }
}
