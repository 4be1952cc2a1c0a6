import type { Writable } from 'node:stream'
import type { ConsoleSession, ConsoleStatus, SshLog } from './types.js'

/** Write respecting backpressure: wait for 'drain' when the channel's buffer is full. */
export async function write(out: Writable, text: string): Promise<void> {
  if (text === '' || out.destroyed || out.writableEnded) return
  if (out.write(text)) return
  await new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done)
      out.off('close', done)
      resolve()
    }
    out.on('drain', done)
    out.on('close', done)
  })
}

/**
 * Run one line through the console session, streaming its output; `crlf` for terminals. When `signal`
 * aborts (Ctrl-C, the client went away), output stops at once, the command sees the signal (a model stops
 * generating) and its stream is asked to return. Chunks go out as they come, so an answer streams.
 */
export async function runLine(
  session: ConsoleSession,
  line: string,
  out: Writable,
  crlf: boolean,
  log: SshLog,
  signal?: AbortSignal,
): Promise<ConsoleStatus & { interrupted?: boolean }> {
  const aborted = signal && new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }))
  try {
    const it = session.runStream(line, signal ? { signal } : {})
    for (;;) {
      const step = it.next()
      if (aborted) step.catch(() => {}) // settles after we stopped listening: not unhandled
      const next = aborted ? await Promise.race([step, aborted]) : await step
      if (next === 'aborted') {
        void it.return?.(undefined as never)?.catch(() => {})
        return { ok: false, interrupted: true }
      }
      if (next.done) return next.value
      await write(out, crlf ? next.value.replace(/\r?\n/g, '\r\n') : next.value)
    }
  } catch (err) {
    log('console session failed', { err: err instanceof Error ? err.message : String(err) })
    await write(out, crlf ? 'internal error\r\n' : 'internal error\n')
    return { ok: false }
  }
}

/** Send the exit status and close the channel (once). */
export function finish(channel: { exit(code: number): void; end(): unknown; destroyed?: boolean }, code: number): void {
  if (channel.destroyed) return
  try {
    channel.exit(code)
  } catch {
    // the client went away already
  }
  channel.end()
}

/**
 * Aborts when the channel closes or the connection is `gone` (the client went away; a channel nobody reads
 * may never emit 'close'): a running command, e.g. a model's answer, stops.
 */
export function closedSignal(
  channel: { once(event: 'close', fn: () => void): unknown; off(event: 'close', fn: () => void): unknown },
  gone: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController()
  const onClose = (): void => abort.abort()
  if (gone.aborted) abort.abort()
  channel.once('close', onClose)
  gone.addEventListener('abort', onClose, { once: true })
  return {
    signal: abort.signal,
    dispose: () => {
      channel.off('close', onClose)
      gone.removeEventListener('abort', onClose)
    },
  }
}
