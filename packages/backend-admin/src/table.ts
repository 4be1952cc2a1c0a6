import type { AdminDeps, ConsoleAiMessage } from './deps.js'

/** What a command hands back: one text, lines, or lines streamed as they are produced. */
export type CommandOutput = string | readonly string[] | AsyncIterable<string> | void

export interface CommandContext {
  /** The console user; the author of every change. */
  readonly user: string
  readonly actor: { readonly by: string }
  readonly deps: AdminDeps
  /** Does the console user hold Owner on `*\/*\/*`? */
  isAdmin(): Promise<boolean>
  /** This session's conversation with the model (kept until `/ai reset` or the session ends). */
  readonly conversation: { readonly messages: ConsoleAiMessage[] }
}

export interface Command {
  /** Words after the slash: `['users', 'key', 'add']`. */
  readonly words: readonly string[]
  /** Argument synopsis after the words, e.g. `<name> <password>`. */
  readonly args: string
  readonly summary: string
  /** Any authenticated user may run it (list commands); otherwise Owner on `*\/*\/*` is needed. */
  readonly open?: boolean
  readonly min: number
  readonly max: number
  run(ctx: CommandContext, args: string[]): CommandOutput | Promise<CommandOutput>
}

export function usageOf(cmd: Command): string {
  return `/${cmd.words.join(' ')}${cmd.args ? ` ${cmd.args}` : ''}`
}

/** The command whose words are the longest prefix of `words`, and the remaining arguments. */
export function lookup(commands: readonly Command[], words: readonly string[]): { cmd: Command; args: string[] } | undefined {
  let best: Command | undefined
  for (const cmd of commands) {
    if (cmd.words.length > words.length) continue
    if (!cmd.words.every((w, i) => w === words[i]?.toLowerCase())) continue
    if (!best || cmd.words.length > best.words.length) best = cmd
  }
  return best ? { cmd: best, args: words.slice(best.words.length) } : undefined
}
