import { StringDecoder } from 'node:string_decoder'
import { LineEditor } from './line-editor.js'
import { closedSignal, finish, runLine, write } from './run-line.js'
import type { ShellContext } from './shells.js'
import { MAX_LINE, TOO_LONG } from './text.js'
import type { ConsoleStatus } from './types.js'

/** Type-ahead kept while a command runs; past this nothing more is read until it ends (flow control). */
const TYPE_AHEAD = 4096

/** Chunks from the channel with at most one read outstanding, so a race can leave it for the next reader. */
class ChunkReader {
  private pending: Promise<Buffer | undefined> | undefined

  constructor(private readonly iter: AsyncIterator<Buffer>) {}

  /** The next chunk (undefined at EOF); the same promise until `consume()`. */
  next(): Promise<Buffer | undefined> {
    return (this.pending ??= this.iter.next().then((r) => (r.done ? undefined : r.value)))
  }

  consume(): void {
    this.pending = undefined
  }
}

/**
 * While a command runs: keep reading keys, so Ctrl-C can interrupt it; other keys are type-ahead for
 * afterwards. Returns the type-ahead, or undefined when the command was interrupted.
 */
async function watch(
  input: ChunkReader,
  decoder: StringDecoder,
  running: Promise<ConsoleStatus>,
  abort: AbortController,
  ctx: ShellContext,
): Promise<{ typed: string; eof: boolean } | undefined> {
  const done = running.then(() => null)
  let typed = ''
  while (typed.length < TYPE_AHEAD) {
    const got = await Promise.race([input.next().then((chunk) => ({ chunk })), done])
    if (got === null) break // finished; a pending read stays for the editor loop
    input.consume()
    if (got.chunk === undefined) return { typed, eof: true }
    ctx.touch()
    const text = decoder.write(got.chunk)
    if (text.includes('\x03')) {
      abort.abort()
      return undefined
    }
    typed += text
  }
  return { typed, eof: false }
}

/** Interactive shell on a PTY: banner, prompt, line editor; Ctrl-C also interrupts a running command. */
export async function ptyShell(ctx: ShellContext, banner: string, prompt: string): Promise<void> {
  const { channel } = ctx
  const editor = new LineEditor({ prompt, maxLine: MAX_LINE })
  const decoder = new StringDecoder('utf8')
  const input = new ChunkReader(channel.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>)
  let typeAhead = ''
  let eof = false
  await write(channel, `${banner}\r\n${prompt}`)
  for (;;) {
    let text = typeAhead
    typeAhead = ''
    if (text === '') {
      if (eof) break
      const chunk = await input.next()
      input.consume()
      if (chunk === undefined) break
      ctx.touch()
      text = decoder.write(chunk)
    }
    // echo is collected per chunk: a pasted line goes back as one write, not one packet per key
    let echo = ''
    const chars = [...text]
    for (let i = 0; i < chars.length; i++) {
      const ev = editor.key(chars[i]!)
      if (!ev) continue
      echo += ev.output
      if (ev.type === 'eof') {
        await write(channel, echo)
        return finish(channel, 0)
      }
      if (ev.type === 'too-long') echo += `${TOO_LONG}\r\n${prompt}`
      else if (ev.type === 'cancel') echo += prompt
      else if (ev.type === 'line') {
        await write(channel, echo)
        echo = ''
        ctx.working(true)
        const abort = new AbortController()
        // the client going away stops the command too (a model stops generating)
        const closed = closedSignal(channel, ctx.gone)
        closed.signal.addEventListener('abort', () => abort.abort(), { once: true })
        const running = runLine(ctx.console, ev.line, channel, true, ctx.log, abort.signal)
        const watched = await watch(input, decoder, running, abort, ctx)
        const status = await running
        closed.dispose()
        ctx.working(false)
        if (status.quit) return finish(channel, 0)
        if (status.interrupted || watched === undefined) {
          // Ctrl-C: drop everything typed after the command, like a terminal does
          echo = `^C\r\n${prompt}`
          typeAhead = ''
          break
        }
        eof ||= watched.eof
        // the rest of this chunk, then what was typed meanwhile, go through the editor next
        typeAhead = chars.slice(i + 1).join('') + watched.typed
        echo = prompt
        break
      }
    }
    await write(channel, echo)
  }
  finish(channel, 0)
}
