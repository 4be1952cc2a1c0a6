import type { ConsoleAi, ConsoleAiInfo, ConsoleAiMessage } from './deps.js'
import { AdminError } from './errors.js'
import { columns } from './format.js'
import type { Command, CommandContext } from './table.js'
import { tokenize } from './tokenize.js'

/** The grant that lets a console user talk to the model (reader is enough). */
export const AI_GRANT = 'ssh/ai/console'
/** Tool calls the model may make for one line before it must answer. */
export const MAX_TOOL_ROUNDS = 3
/** Read-only commands the model may run as tools, with the caller's own permissions. */
export const TOOL_COMMANDS: readonly (readonly string[])[] = [['users', 'list'], ['oci', 'list'], ['image', 'list'], ['store', 'log']]
/** A tool's output handed back to the model is cut here (characters). */
const MAX_TOOL_OUTPUT = 4000
/** The conversation handed to the model keeps the newest messages up to this many characters. */
const MAX_HISTORY = 12_000

/** What the model is told first in every conversation (the tool protocol included). */
export const AI_SYSTEM_PROMPT = [
  "You are the assistant in the admin console of an Everlock server (OCI registries, image libraries, users and grants).",
  'Answer briefly in plain text.',
  'To look something up, reply with exactly one line "TOOL: <command>", where <command> is one of:',
  '/users list, /oci list, /image list, /store log <store>.',
  'Its output comes back as the next message; then answer the question.',
].join('\n')

/** A session's side of the model: its conversation, kept until `/ai reset` or the end of the session. */
export interface AiSession {
  readonly messages: ConsoleAiMessage[]
}

export async function needAiGrant(ctx: CommandContext): Promise<void> {
  if (!(await ctx.deps.auth.can(ctx.user, AI_GRANT, 'reader'))) {
    throw new AdminError('PERMISSION_DENIED', `permission denied: the AI model needs reader on ${AI_GRANT}`)
  }
}

/** The command of a `TOOL: /…` line in an answer, if there is one. */
export function toolCall(answer: string): string | undefined {
  return /^[ \t]*TOOL:[ \t]*(\/[^\n]*?)[ \t]*$/m.exec(answer)?.[1]
}

/** Is the line one of the read-only commands the model may run? */
export function isToolAllowed(line: string): boolean {
  let words: string[]
  try {
    words = tokenize(line.slice(1)).map((w) => w.toLowerCase())
  } catch {
    return false
  }
  return TOOL_COMMANDS.some((cmd) => cmd.every((w, i) => words[i] === w))
}

/** Model text made safe for a terminal: no escape sequences or other controls, only `\n` and `\t` kept. */
export function printableAnswer(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
}

/** The newest messages that fit MAX_HISTORY characters, behind the system message. */
function window(messages: readonly ConsoleAiMessage[]): ConsoleAiMessage[] {
  const kept: ConsoleAiMessage[] = []
  let size = 0
  for (let i = messages.length - 1; i >= 0; i--) {
    size += messages[i]!.content.length
    if (size > MAX_HISTORY && kept.length > 0) break
    kept.unshift(messages[i]!)
  }
  return [{ role: 'system', content: AI_SYSTEM_PROMPT }, ...kept]
}

/**
 * One line to the model: its answer streamed as it is generated; a `TOOL:` line runs that read-only command
 * through `runTool` (the caller's own session, so the caller's own permissions), shows `[tool] <command>`,
 * hands the output back and lets the model go on, at most MAX_TOOL_ROUNDS times.
 */
export async function* converse(
  ai: ConsoleAi,
  session: AiSession,
  text: string,
  signal: AbortSignal,
  runTool: (line: string, limit: number) => Promise<string>,
): AsyncGenerator<string, void, undefined> {
  session.messages.push({ role: 'user', content: text })
  for (let round = 0; ; round++) {
    let answer = ''
    let ended = false
    try {
      for await (const chunk of ai.prompt(window(session.messages), { signal })) {
        const shown = printableAnswer(chunk)
        answer += shown
        if (shown !== '') yield shown
      }
      ended = true
    } finally {
      // an interrupted answer stays in the conversation as far as it got; a request that failed (or was
      // stopped) before its first token leaves nothing behind, not even the line that asked
      if (ended || answer !== '') session.messages.push({ role: 'assistant', content: answer })
      else session.messages.pop()
    }
    if (!answer.endsWith('\n')) yield '\n'
    const call = toolCall(answer)
    if (call === undefined || signal.aborted) return
    if (round >= MAX_TOOL_ROUNDS) {
      yield `[tool] not run (more than ${MAX_TOOL_ROUNDS} tool calls for one line): ${call}\n`
      return
    }
    if (!isToolAllowed(call)) {
      yield `[tool] refused: ${call}\n`
      session.messages.push({ role: 'user', content: `${call} is not an allowed tool. Allowed: ${TOOL_COMMANDS.map((c) => `/${c.join(' ')}`).join(', ')}.` })
      continue
    }
    yield `[tool] ${call}\n`
    const output = await runTool(call, MAX_TOOL_OUTPUT)
    session.messages.push({ role: 'user', content: `Output of ${call}:\n${output}` })
  }
}

const fixed = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1))

function infoLines(info: ConsoleAiInfo, session: AiSession): string[] {
  const state = info.state === 'failed' && info.error
    ? `failed: ${info.error.code}: ${info.error.message.split('\n')[0]}${info.error.file && !info.error.message.includes(info.error.file) ? ` (${info.error.file})` : ''}`
    : info.state
  const q = info.queue
  const tps = info.tokensPerSecond
  const pps = info.promptTokensPerSecond
  return columns([
    ['model', info.model],
    ['projector', info.mmproj ?? 'none (no image captions)'],
    ['engine', info.engine],
    ['state', state],
    ['queue', `${q.running} running, ${q.interactive} interactive and ${q.background} background waiting`],
    ['tokens/s', `${fixed(tps.last)} last, ${fixed(tps.average)} average${pps ? ` (prompt: ${fixed(pps.last)} last, ${fixed(pps.average)} average)` : ''}`],
    ...(info.tokens ? [['tokens', `${info.tokens.prompt} prompt, ${info.tokens.generated} generated`]] : []),
    ...(info.requests ? [['requests', `${info.requests.completed} completed, ${info.requests.failed} failed, ${info.requests.aborted} stopped`]] : []),
    ['conversation', `${session.messages.length} message${session.messages.length === 1 ? '' : 's'}`],
  ])
}

/** `/ai info` and `/ai reset`, for a console with a model. */
export function aiCommands(ai: ConsoleAi, sessionOf: (ctx: CommandContext) => AiSession): Command[] {
  return [
    {
      words: ['ai', 'info'], args: '', summary: 'the model: file, engine, load state, queue, tokens/s', open: true, min: 0, max: 0,
      async run(ctx) {
        await needAiGrant(ctx)
        return infoLines(ai.info(), sessionOf(ctx))
      },
    },
    {
      words: ['ai', 'reset'], args: '', summary: 'forget this session\'s conversation with the model', open: true, min: 0, max: 0,
      async run(ctx) {
        await needAiGrant(ctx)
        const messages = sessionOf(ctx).messages
        const n = messages.length
        messages.length = 0
        return `conversation reset (${n} message${n === 1 ? '' : 's'} forgotten)`
      },
    },
  ]
}
