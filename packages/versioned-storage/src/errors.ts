/** Stable error codes of @everlock/versioned-storage. Codes never change within a major version; messages may. */
export type StorageErrorCode =
  | 'BLOB_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'PATH_INVALID'
  | 'CHANGE_INVALID'
  | 'AUTHOR_INVALID'
  | 'COMMIT_UNKNOWN'
  | 'RANGE_INVALID'
  | 'STORE_NAME_INVALID'
  | 'STORE_CLOSED'
  | 'UPLOAD_UNKNOWN'
  | 'UPLOAD_OFFSET_INVALID'
  | 'NO_SPACE'
  | 'BUCKET_MISSING'
  | 'BUCKET_FORBIDDEN'
  | 'BUCKET_UNREACHABLE'
  | 'BACKEND_FAILED'

export class StorageError extends Error {
  override readonly name = 'StorageError'
  readonly code: StorageErrorCode

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code)
}

/** Turn an ENOSPC/EDQUOT from the file system into NO_SPACE; anything else passes through. */
export function asNoSpace(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageError('NO_SPACE', 'no space left on the device holding the store', { cause: err })
  }
  return err
}
