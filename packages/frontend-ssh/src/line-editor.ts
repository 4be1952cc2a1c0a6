/** What one key press did. `output` is what to write back to the terminal (echo, redraw). */
export type EditorEvent =
  | { readonly type: 'output'; readonly output: string }
  | { readonly type: 'line'; readonly line: string; readonly output: string }
  | { readonly type: 'cancel'; readonly output: string }
  | { readonly type: 'eof'; readonly output: string }
  | { readonly type: 'too-long'; readonly output: string }

export interface LineEditorOptions {
  readonly prompt: string
  /** Longest line in characters; typing past it marks the line as too long (refused on Enter). */
  readonly maxLine: number
  readonly historySize?: number
}

const ESC = '\x1b'

/**
 * A small readline for a PTY: printable input is inserted at the cursor and echoed; Backspace, Ctrl-C
 * (cancel the line), Ctrl-D (leave on an empty line), Ctrl-U (clear), arrows (history up/down, cursor
 * left/right), Home/End. Other control characters and unknown escape sequences are dropped. Pure: it only
 * returns what to write, so it can be tested without a terminal.
 */
export class LineEditor {
  private buf: string[] = []
  private cursor = 0
  private overflow = false
  private escape = ''
  private lastWasCr = false
  private readonly history: string[] = []
  private historyAt = 0
  private draft: string[] = []

  constructor(private readonly opts: LineEditorOptions) {}

  /** The current line as typed so far. */
  get line(): string {
    return this.buf.join('')
  }

  /** Feed one character (a full code point). Returns undefined when nothing visible happens. */
  key(ch: string): EditorEvent | undefined {
    if (this.escape) return this.escapeKey(ch)
    const wasCr = this.lastWasCr
    this.lastWasCr = ch === '\r'
    switch (ch) {
      case '\r':
        return this.submit()
      case '\n':
        return wasCr ? undefined : this.submit()
      case '\x7f':
      case '\b':
        return this.backspace()
      case '\x03':
        this.reset()
        return { type: 'cancel', output: '^C\r\n' }
      case '\x04':
        if (this.buf.length === 0) return { type: 'eof', output: '\r\n' }
        return this.deleteForward()
      case '\x15':
        this.buf = []
        this.cursor = 0
        this.overflow = false
        return this.redraw()
      case '\x01':
        this.cursor = 0
        return this.redraw()
      case '\x05':
        this.cursor = this.buf.length
        return this.redraw()
      case ESC:
        this.escape = ESC
        return undefined
    }
    const code = ch.codePointAt(0) ?? 0
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return undefined
    return this.insert(ch)
  }

  private insert(ch: string): EditorEvent | undefined {
    if (this.buf.length >= this.opts.maxLine) {
      this.overflow = true
      return undefined
    }
    this.buf.splice(this.cursor, 0, ch)
    this.cursor++
    if (this.cursor === this.buf.length) return { type: 'output', output: ch }
    return this.redraw()
  }

  private backspace(): EditorEvent | undefined {
    if (this.cursor === 0) return undefined
    this.buf.splice(this.cursor - 1, 1)
    this.cursor--
    if (this.cursor === this.buf.length) return { type: 'output', output: '\b \b' }
    return this.redraw()
  }

  private deleteForward(): EditorEvent | undefined {
    if (this.cursor >= this.buf.length) return undefined
    this.buf.splice(this.cursor, 1)
    return this.redraw()
  }

  private submit(): EditorEvent {
    const line = this.line
    const overflow = this.overflow
    this.reset()
    if (overflow) return { type: 'too-long', output: '\r\n' }
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line)
      if (this.history.length > (this.opts.historySize ?? 200)) this.history.shift()
    }
    this.historyAt = this.history.length
    return { type: 'line', line, output: '\r\n' }
  }

  private reset(): void {
    this.buf = []
    this.cursor = 0
    this.overflow = false
    this.historyAt = this.history.length
    this.draft = []
  }

  /** ESC [ A / ESC O A style sequences; anything else is swallowed up to its final byte. */
  private escapeKey(ch: string): EditorEvent | undefined {
    this.escape += ch
    const seq = this.escape
    if (seq.length === 2) {
      if (ch === '[' || ch === 'O') return undefined
      this.escape = ''
      return undefined
    }
    const code = ch.codePointAt(0) ?? 0
    // parameters and intermediates (0x20-0x3f) continue the sequence; a final byte (0x40-0x7e) ends it
    if (code >= 0x20 && code <= 0x3f && seq.length < 16) return undefined
    this.escape = ''
    switch (seq.slice(1)) {
      case '[A':
      case 'OA':
        return this.historyMove(-1)
      case '[B':
      case 'OB':
        return this.historyMove(1)
      case '[C':
      case 'OC':
        if (this.cursor >= this.buf.length) return undefined
        this.cursor++
        return { type: 'output', output: `${ESC}[C` }
      case '[D':
      case 'OD':
        if (this.cursor === 0) return undefined
        this.cursor--
        return { type: 'output', output: `${ESC}[D` }
      case '[H':
      case 'OH':
      case '[1~':
        this.cursor = 0
        return this.redraw()
      case '[F':
      case 'OF':
      case '[4~':
        this.cursor = this.buf.length
        return this.redraw()
      case '[3~':
        return this.deleteForward()
    }
    return undefined
  }

  private historyMove(step: -1 | 1): EditorEvent | undefined {
    const to = this.historyAt + step
    if (to < 0 || to > this.history.length) return undefined
    if (this.historyAt === this.history.length) this.draft = this.buf
    this.historyAt = to
    this.buf = to === this.history.length ? this.draft : [...this.history[to]!]
    this.cursor = this.buf.length
    this.overflow = false
    return this.redraw()
  }

  /** Rewrite the whole line: carriage return, prompt, text, clear to end, cursor back into place. */
  private redraw(): EditorEvent {
    const back = this.buf.length - this.cursor
    return { type: 'output', output: `\r${this.opts.prompt}${this.line}${ESC}[K${back > 0 ? `${ESC}[${back}D` : ''}` }
  }
}
