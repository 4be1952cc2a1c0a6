import { AiRuntimeError } from './errors.js'
import type { ChatMessage, GenerateOptions } from './types.js'

const ROLES = new Set(['system', 'user', 'assistant'])

export function validateMessages(messages: readonly ChatMessage[]): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new AiRuntimeError('OPTION_INVALID', 'a prompt needs at least one message')
  }
  for (const m of messages) {
    if (!m || !ROLES.has(m.role) || typeof m.content !== 'string') {
      throw new AiRuntimeError('OPTION_INVALID', 'each message needs a role (system, user, assistant) and a string content')
    }
  }
  if (messages.at(-1)?.role === 'assistant') {
    throw new AiRuntimeError('OPTION_INVALID', 'the last message must be the user\'s (or the system\'s)')
  }
}

export function validateOptions(options: GenerateOptions): void {
  const { maxTokens, temperature, priority } = options
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new AiRuntimeError('OPTION_INVALID', 'maxTokens must be a positive integer')
  }
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0)) {
    throw new AiRuntimeError('OPTION_INVALID', 'temperature must be a number ≥ 0')
  }
  if (priority !== undefined && priority !== 'interactive' && priority !== 'background') {
    throw new AiRuntimeError('OPTION_INVALID', 'priority must be interactive or background')
  }
}
