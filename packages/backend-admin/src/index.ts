export type { InstanceAdmin, InstanceInfo, Actor } from './instances.js'
export {
  createAdminInterpreter,
  MAX_LINE,
  type AdminInterpreter,
  type AdminInterpreterOptions,
  type AdminSession,
  type RunResult,
  type RunStatus,
  type RunOptions,
} from './interpreter.js'
export type { TlsAdmin, TlsEntry, TlsAcmeStatus } from './commands/tls.js'
export type { AdminAuth, AdminStores, AdminStore, AdminUploads, AdminCommit, ConsoleAi, ConsoleAiInfo, ConsoleAiMessage, AdminDeps } from './deps.js'
export type { Command, CommandContext, CommandOutput } from './table.js'
export { AdminError, isAdminError, type AdminErrorCode } from './errors.js'
export { tokenize } from './tokenize.js'
export { AI_GRANT, AI_SYSTEM_PROMPT, MAX_TOOL_ROUNDS, TOOL_COMMANDS } from './ai.js'
