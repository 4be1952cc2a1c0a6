/** The terminal side a hidden prompt needs (process.stdin / process.stderr when both are TTYs). */
export interface Terminal {
  readonly input: NodeJS.ReadableStream & { setRawMode(on: boolean): unknown }
  readonly output: NodeJS.WritableStream
}

/**
 * Asks for a secret on a terminal without echoing it (raw mode: nothing typed is shown, not even stars).
 * Resolves with the line typed (Backspace edits it), or undefined for Ctrl-C / Ctrl-D.
 */
export function promptHidden(question: string, { input, output }: Terminal): Promise<string | undefined> {
  output.write(question)
  input.setRawMode(true)
  input.resume()
  return new Promise((resolve) => {
    let typed = ''
    const finish = (answer: string | undefined): void => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      resolve(answer)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(typed)
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) return finish(undefined)
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('')
        else if (ch >= ' ') typed += ch
      }
    }
    input.on('data', onData)
  })
}
