/** Stable error codes of @everlock/ai-runtime. Codes never change within a major version; messages may. */
export type AiRuntimeErrorCode =
  | 'MODEL_MISSING'
  | 'MODEL_INVALID'
  | 'PROMPT_TOO_LONG'
  | 'NO_VISION'
  | 'IMAGE_MISSING'
  | 'GENERATION_FAILED'
  | 'ABORTED'
  | 'OPTION_INVALID'
  | 'CLOSED'

export class AiRuntimeError extends Error {
  override readonly name = 'AiRuntimeError'
  readonly code: AiRuntimeErrorCode
  /** The file the error is about (model, projector or image), when there is one. */
  readonly file: string | undefined

  constructor(code: AiRuntimeErrorCode, message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.file = options?.file
  }
}

export function isAiRuntimeError(err: unknown, code?: AiRuntimeErrorCode): err is AiRuntimeError {
  return err instanceof AiRuntimeError && (code === undefined || err.code === code)
}

export const aborted = (): AiRuntimeError => new AiRuntimeError('ABORTED', 'the request was cancelled')
