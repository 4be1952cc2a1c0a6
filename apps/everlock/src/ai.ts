import { createAiRuntime, type AiRuntime } from '@everlock/ai-runtime'
import type { ConsoleAi } from '@everlock/backend-admin'
import type { Log } from './log.js'

/** `--backend-ai-ssh-*`: the one model of this process. */
export interface AiOptions {
  readonly modelPath: string
  /** A vision projector: image captions too. */
  readonly mmprojPath?: string
  readonly threads?: number
  readonly contextSize?: number
  /** Longest answer to one console line, in tokens (default 512). */
  readonly maxTokens?: number
}

/** Longest answer to one console line, in tokens, unless `--backend-ai-ssh-max-tokens` says otherwise. */
export const CONSOLE_MAX_TOKENS = 512

/**
 * The process's one AI runtime: returned at once, the model loads in the background (the server is ready
 * first). A missing or bad file is logged naming it (by the runtime) and shows in `/ai info`; nothing throws.
 */
export function startAi(options: AiOptions, log: Log): AiRuntime {
  return createAiRuntime({
    modelPath: options.modelPath,
    ...(options.mmprojPath !== undefined ? { mmprojPath: options.mmprojPath } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
    log,
  })
}

/** The console's narrow view of the runtime: a person is waiting, so its prompts go first. */
export function consoleAi(ai: AiRuntime, maxTokens = CONSOLE_MAX_TOKENS): ConsoleAi {
  return {
    prompt: (messages, { signal }) => ai.prompt(messages, { signal, priority: 'interactive', maxTokens }),
    info: () => ai.info(),
  }
}
