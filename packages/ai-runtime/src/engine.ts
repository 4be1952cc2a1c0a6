// The one small interface every engine implements. The runtime above it owns queueing, limits and errors;
// an engine only loads a model and runs one generation at a time.
import type { AiLogger, ChatMessage, EngineName } from './types.js'

export interface EngineLoadOptions {
  modelPath: string
  mmprojPath: string | undefined
  threads: number
  contextSize: number | undefined
  log: AiLogger
}

export interface EngineRequest {
  messages: readonly ChatMessage[]
  /** An image for the last user message (engines with `vision` only). */
  imagePath: string | undefined
  maxTokens: number
  temperature: number
  signal: AbortSignal
  onText(text: string): void
}

export interface EngineResult {
  generatedTokens: number
  stopReason: 'stop' | 'length'
}

export interface Engine {
  readonly name: EngineName
  readonly vision: boolean
  readonly contextSize: number
  /** Tokens the request's prompt takes once the chat template is applied (image tokens included). */
  countPromptTokens(messages: readonly ChatMessage[], imagePath: string | undefined): Promise<number>
  /** Streams the answer through `onText`; when `signal` aborts, stops at once and rejects with it. */
  generate(request: EngineRequest): Promise<EngineResult>
  close(): Promise<void>
}

export type EngineLoader = (options: EngineLoadOptions) => Promise<Engine>

let loads = 0

/** Counts model loads in this process: every engine calls it once per model it loads. */
export function countLoad(): void {
  loads++
}

/** How many models engines have loaded in this process so far. */
export function modelLoads(): number {
  return loads
}
