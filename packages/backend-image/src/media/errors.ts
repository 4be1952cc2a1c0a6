import type { MediaErrorCode } from './types.js'

export class MediaError extends Error {
  override readonly name = 'MediaError'
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
