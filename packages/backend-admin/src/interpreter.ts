import { aiCommands, converse, needAiGrant } from './ai.js'
import { groupCommands } from './commands/groups.js'
import { instanceCommands, type Kind } from './commands/instances.js'
import { meCommands } from './commands/me.js'
import { storeCommands } from './commands/store.js'
import { tokenCommands } from './commands/tokens.js'
import { HTTPS_NOT_ENABLED, tlsCommands } from './commands/tls.js'
import { userCommands } from './commands/users.js'
import type { AdminDeps } from './deps.js'
import { refuseControls } from './controls.js'
import { AdminError, isCodedError } from './errors.js'
import { helpText } from './help.js'
import { lookup, usageOf, type Command, type CommandContext, type CommandOutput } from './table.js'
import { tokenize } from './tokenize.js'

/** Longest accepted command line, in bytes of UTF-8 (8 KiB), whatever the script. */
export const MAX_LINE = 8192

/** Backends the console can manage when the app hands over their InstanceAdmin. */
const KINDS: readonly Kind[] = ['oci', 'image']

export interface AdminInterpreterOptions extends AdminDeps {
  /** Where unexpected errors go (never shown to the console user). Default: console.error. */
  readonly log?: (message: string, err: unknown) => void
}

/** How a command ended. */
export interface RunStatus {
  readonly ok: boolean
  /** The user asked to leave (`/quit`). */
  readonly quit?: boolean
}

export interface RunResult extends RunStatus {
  /** Everything printed, lines joined with `\n`, no trailing newline. */
  readonly output: string
}

/** One console user's session. Lines may be run one after another (a transport should not overlap them). */
export interface AdminSession {
  readonly user: string
  /** Run a line and collect its output. */
  run(line: string): Promise<RunResult>
  /**
   * Run a line, yielding output as it is produced (lines end with `\n`; a model's answer comes token by
   * token); returns the status. `signal` stops it (Ctrl-C): a model's answer ends soon after.
   */
  runStream(line: string, options?: RunOptions): AsyncGenerator<string, RunStatus, undefined>
}

export interface RunOptions {
  readonly signal?: AbortSignal
}

export interface AdminInterpreter {
  session(identity: { readonly user: string }): AdminSession
  /** The command table (for completion or documentation). */
  readonly commands: readonly Command[]
}

export function createAdminInterpreter(options: AdminInterpreterOptions): AdminInterpreter {
  const log = options.log ?? ((message, err) => console.error(message, err))
  // only what this server can do: a backend's commands exist when the app hands over its InstanceAdmin
  const enabled = KINDS.filter((kind) => options.instances[kind] !== undefined)
  const disabled = KINDS.filter((kind) => !enabled.includes(kind))
  const commands: Command[] = [
    ...meCommands,
    ...userCommands,
    ...tokenCommands,
    ...groupCommands,
    ...enabled.flatMap((kind) => instanceCommands(kind)),
    ...storeCommands,
    ...(options.tls ? tlsCommands : []),
    ...(options.ai ? aiCommands(options.ai, (ctx) => ctx.conversation) : []),
  ]
  const helpCmd: Command = {
    words: ['help'], args: '[<command>]', summary: 'this list, or the usage of one command', open: true, min: 0, max: 3,
    run: (_ctx, topic) => helpText(commands, topic, { ai: options.ai !== undefined }),
  }
  const quitCmd: Command = { words: ['quit'], args: '', summary: 'leave the console', open: true, min: 0, max: 0, run: () => 'bye' }
  commands.push(helpCmd, quitCmd)

  return {
    commands,
    session(identity) {
      const user = identity.user
      let admin: Promise<boolean> | undefined
      const ctx: CommandContext = {
        user,
        actor: { by: user },
        deps: options,
        // asked afresh for each line (grants may change while a session is open)
        isAdmin: () => (admin ??= options.auth.can(user, '*/*/*', 'owner')),
        conversation: { messages: [] },
      }
      async function* runStream(line: string, opts: RunOptions = {}): AsyncGenerator<string, RunStatus, undefined> {
        admin = undefined
        try {
          return yield* execute(line, opts.signal ?? new AbortController().signal)
        } catch (err) {
          if (isCodedError(err)) yield `${err.message.split('\n')[0]}\n`
          else {
            log(`admin console: internal error for user '${user}'`, err)
            yield 'internal error\n'
          }
          return { ok: false }
        }
      }
      /** A tool call of the model: a read-only command run as this user; its output (or error), read up to `limit` characters. */
      async function runTool(line: string, limit: number): Promise<string> {
        let output = ''
        for await (const chunk of runStream(line)) {
          output += chunk
          if (output.length >= limit) break // stops the command's stream
        }
        return output.slice(0, limit)
      }
      async function* execute(line: string, signal: AbortSignal): AsyncGenerator<string, RunStatus, undefined> {
        if (Buffer.byteLength(line, 'utf8') > MAX_LINE) throw new AdminError('LINE_TOO_LONG', `line too long (over ${MAX_LINE} bytes)`)
        const text = line.trim()
        if (text === '') return { ok: true }
        refuseControls(text, [...line.slice(0, line.length - line.trimStart().length)].length)
        if (!text.startsWith('/')) {
          if (!options.ai) throw new AdminError('NOT_ENABLED', 'no AI runtime configured')
          await needAiGrant(ctx)
          yield* converse(options.ai, ctx.conversation, text, signal, runTool)
          return { ok: true }
        }
        const words = tokenize(text.slice(1))
        const found = lookup(commands, words)
        if (!found) throw unknown(commands, words, [...disabled, ...(options.ai ? [] : ['ai']), ...(options.tls ? [] : ['tls'])])
        const { cmd, args } = found
        if (!cmd.open && !(await ctx.isAdmin())) throw new AdminError('PERMISSION_DENIED', 'permission denied: needs owner on */*/*')
        if (args.length < cmd.min || args.length > cmd.max) throw new AdminError('USAGE', `usage: ${usageOf(cmd)}`)
        yield* lines(await cmd.run(ctx, args))
        return cmd === quitCmd ? { ok: true, quit: true } : { ok: true }
      }
      return {
        user,
        runStream,
        async run(line) {
          let output = ''
          const it = runStream(line)
          for (;;) {
            const next = await it.next()
            if (next.done) return { ...next.value, output: output.replace(/\n$/, '') }
            output += next.value
          }
        },
      }
    },
  }
}

function unknown(commands: readonly Command[], words: readonly string[], disabled: readonly string[]): AdminError {
  const lower = words.map((w) => w.toLowerCase())
  const group = lower[0] ?? ''
  if (group === 'ai' && disabled.includes(group)) return new AdminError('NOT_ENABLED', 'no AI runtime configured')
  if (group === 'tls' && disabled.includes(group)) return new AdminError('NOT_ENABLED', HTTPS_NOT_ENABLED)
  if (disabled.includes(group)) return new AdminError('NOT_ENABLED', `${group} backend not enabled`)
  if (!commands.some((c) => c.words[0] === group)) {
    return new AdminError('UNKNOWN_COMMAND', `unknown command '/${words[0] ?? ''}' (try /help)`)
  }
  // the longest known prefix (`users`, or `users key`), then the words that may follow it
  let depth = 1
  while (depth < lower.length && commands.some((c) => c.words.length > depth + 1 && lower.slice(0, depth + 1).every((w, i) => c.words[i] === w))) depth++
  const prefix = lower.slice(0, depth)
  const next = [...new Set(commands.filter((c) => prefix.every((w, i) => c.words[i] === w)).map((c) => c.words[depth]))].join('|')
  const bad = words[depth]
  return new AdminError(
    'USAGE',
    `${bad !== undefined ? `unknown subcommand '${bad}'; ` : ''}usage: /${prefix.join(' ')} ${next} (try /help ${group})`,
  )
}

async function* lines(out: CommandOutput): AsyncGenerator<string, void, undefined> {
  if (out === undefined) return
  if (typeof out === 'string') yield `${out}\n`
  else if (Array.isArray(out)) {
    if (out.length) yield `${out.join('\n')}\n`
  } else for await (const line of out as AsyncIterable<string>) yield `${line}\n`
}
