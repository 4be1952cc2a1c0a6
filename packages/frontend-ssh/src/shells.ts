import { StringDecoder } from 'node:string_decoder'
import type { Duplex } from 'node:stream'
import { closedSignal, finish, runLine, write } from './run-line.js'
import { byteLength, MAX_LINE, TOO_LONG } from './text.js'
import type { ConsoleSession, SshLog } from './types.js'

export interface ChannelLike extends Duplex {
  exit(code: number): void
}

export interface ShellContext {
  readonly channel: ChannelLike
  readonly console: ConsoleSession
  readonly log: SshLog
  /** Aborts when the client's connection closes. */
  readonly gone: AbortSignal
  /** Input arrived (restarts the idle timer). */
  touch(): void
  /** A command starts (true) or ends (false); the idle timer does not fire while one runs. */
  working(running: boolean): void
}

/** Read the channel chunk by chunk; while a command runs nothing is read, so the client is held back. */
export function chunks(channel: Duplex): AsyncIterable<Buffer> {
  return channel.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>
}

/** Shell without a PTY (`printf … | ssh -T`): one command per input line, no prompt; exit 0 at EOF. */
export async function plainShell(ctx: ShellContext): Promise<void> {
  const { channel } = ctx
  const decoder = new StringDecoder('utf8')
  let pending = ''
  // the current line already went past MAX_LINE (its start was dropped to bound memory)
  let overflow = false
  // bytes of UTF-8 in `pending`
  let pendingBytes = 0
  /** Run one line; true when the user asked to leave. */
  const handle = async (line: string, tooLong: boolean): Promise<boolean> => {
    if (tooLong) {
      await write(channel, `${TOO_LONG}\n`)
      return false
    }
    ctx.working(true)
    // as typed: a CRLF line ending is not part of the line; any other control character is the console's to refuse
    const closed = closedSignal(channel, ctx.gone)
    const status = await runLine(ctx.console, line.endsWith('\r') ? line.slice(0, -1) : line, channel, false, ctx.log, closed.signal)
    closed.dispose()
    ctx.working(false)
    return status.quit === true
  }
  for await (const chunk of chunks(channel)) {
    ctx.touch()
    let text = decoder.write(chunk)
    let nl: number
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = pending + text.slice(0, nl)
      const tooLong = overflow || byteLength(line) > MAX_LINE + (line.endsWith('\r') ? 1 : 0)
      pending = ''
      pendingBytes = 0
      overflow = false
      text = text.slice(nl + 1)
      if (await handle(line, tooLong)) return finish(channel, 0)
    }
    pending += text
    pendingBytes += byteLength(text)
    if (pendingBytes > MAX_LINE + 1) {
      overflow = true
      pending = ''
      pendingBytes = 0
    }
  }
  if (pending !== '' || overflow) await handle(pending, overflow)
  finish(channel, 0)
}

/** `ssh host '<command>'`: run it, exit 0 or 1. */
export async function execCommand(ctx: ShellContext, command: string, crlf: boolean): Promise<void> {
  const { channel } = ctx
  // drain stdin so a client that sends some does not stall the channel
  channel.resume()
  if (byteLength(command) > MAX_LINE) {
    await write(channel, `${TOO_LONG}\n`)
    return finish(channel, 1)
  }
  ctx.working(true)
  const closed = closedSignal(channel, ctx.gone)
  const status = await runLine(ctx.console, command, channel, crlf, ctx.log, closed.signal)
  closed.dispose()
  ctx.working(false)
  finish(channel, status.ok ? 0 : 1)
}
