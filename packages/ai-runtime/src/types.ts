import type { AiRuntimeErrorCode } from './errors.js'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** `interactive` (a person waiting: the console) goes first; `background` (captions) is never starved. */
export type Priority = 'interactive' | 'background'

export interface GenerateOptions {
  signal?: AbortSignal
  priority?: Priority
  /** Upper bound on generated tokens (default 512; always capped by what is left of the context). */
  maxTokens?: number
  /** Sampling temperature; 0 is greedy (deterministic). Default 0.7. */
  temperature?: number
}

export interface GenerationStats {
  promptTokens: number
  generatedTokens: number
  /** Prompt tokens per second of this request (time to first token). */
  promptTokensPerSecond: number
  /** Generated tokens per second of this request (first token to last). */
  tokensPerSecond: number
  /** `stop`: the model ended its answer; `length`: maxTokens or the context ran out. */
  stopReason: 'stop' | 'length'
}

/** Tokens as they are generated; `result` settles with the request's figures once the stream ends. */
export interface PromptStream extends AsyncIterable<string> {
  readonly result: Promise<GenerationStats>
}

export type LoadState = 'loading' | 'ready' | 'failed' | 'closed'

export interface AiInfo {
  model: string
  mmproj: string | undefined
  engine: string
  state: LoadState
  error: { code: AiRuntimeErrorCode; message: string; file: string | undefined } | undefined
  vision: boolean
  contextSize: number | undefined
  threads: number
  queue: { running: number; interactive: number; background: number }
  tokens: { prompt: number; generated: number }
  requests: { completed: number; failed: number; aborted: number }
  /** Generation speed, tokens per second: of the last finished request, and over all of them. */
  tokensPerSecond: { last: number | undefined; average: number | undefined }
  promptTokensPerSecond: { last: number | undefined; average: number | undefined }
}

export interface AiRuntime {
  prompt(messages: readonly ChatMessage[], options?: GenerateOptions): PromptStream
  /** Describes an image file (PNG, JPEG, BMP, …); needs a projector. Background priority unless told. */
  describeImage(file: string, prompt: string, options?: GenerateOptions): Promise<string>
  info(): AiInfo
  /** Resolves once the model is loaded; rejects with the load error. Requests do not need to await it. */
  ready(): Promise<void>
  close(): Promise<void>
}

/** Minimal logger; pino, console and friends fit. */
export interface AiLogger {
  info?(message: string, fields?: Record<string, unknown>): void
  warn?(message: string, fields?: Record<string, unknown>): void
  error?(message: string, fields?: Record<string, unknown>): void
}

export type EngineName = 'node-llama-cpp' | 'llama.node'

export interface AiRuntimeOptions {
  modelPath: string
  /** A vision projector (mmproj GGUF): enables describeImage. */
  mmprojPath?: string
  /** CPU threads for generation (default: min(4, available cores)). */
  threads?: number
  /** Context size in tokens (default 4096; node-llama-cpp: at most the model's own). */
  contextSize?: number
  log?: AiLogger
  /** Which engine runs the model; `auto` picks node-llama-cpp for text and llama.node with a projector. */
  engine?: EngineName | 'auto'
}
