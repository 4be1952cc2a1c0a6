export { createAiRuntime } from './create.js'
export { AiRuntimeError, isAiRuntimeError, type AiRuntimeErrorCode } from './errors.js'
export type {
  AiInfo,
  AiLogger,
  AiRuntime,
  AiRuntimeOptions,
  ChatMessage,
  EngineName,
  GenerateOptions,
  GenerationStats,
  LoadState,
  Priority,
  PromptStream,
} from './types.js'
