/** What one key press did. `output` is what to write back to the terminal (echo, redraw). */
export type EditorEvent =
  | { readonly type: 'output'; readonly output: string }
  | { readonly type: 'line'; readonly line: string; readonly output: string }
  | { readonly type: 'cancel'; readonly output: string }
  | { readonly type: 'eof'; readonly output: string }
  | { readonly type: 'too-long'; readonly output: string }

export interface LineEditorOptions {
  readonly prompt: string
  /** Longest line in bytes of UTF-8; typing past it marks the line as too long (refused on Enter). */
  readonly maxLine: number
  readonly historySize?: number
}

import { columnsOf } from './width.js'

const ESC = '\x1b'
/** Move the cursor `n` columns left or right (nothing for 0). */
const move = (n: number, dir: 'C' | 'D'): string => (n === 0 ? '' : n === 1 ? `${ESC}[${dir}` : `${ESC}[${n}${dir}`)

const utf8Bytes = (ch: string): number => Buffer.byteLength(ch, 'utf8')
const isControl = (ch: string): boolean => {
  const code = ch.codePointAt(0) ?? 0
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}
/** How a character is drawn: control characters (kept in the line, refused by the console) as one `?`. */
const shown = (ch: string): string => (isControl(ch) ? '?' : ch)

/**
 * A small readline for a PTY: printable input is inserted at the cursor and echoed; Backspace, Ctrl-C
 * (cancel the line), Ctrl-D (leave on an empty line), Ctrl-U (clear), arrows (history up/down, cursor
 * left/right), Home/End. Other control characters (Tab, Ctrl-G, …) are kept in the line and drawn as `?`, so the
 * console refuses the line naming them instead of it silently changing; unknown escape sequences are swallowed.
 * Pure: it only returns what to write, so it can be tested without a terminal.
 */
export class LineEditor {
  private buf: string[] = []
  /** UTF-8 bytes in `buf`. */
  private bytes = 0
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
        this.setLine([])
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
    return this.insert(ch)
  }

  private setLine(chars: string[]): void {
    this.buf = chars
    this.bytes = utf8Bytes(chars.join(''))
    this.cursor = chars.length
    this.overflow = false
  }

  private insert(ch: string): EditorEvent | undefined {
    const size = utf8Bytes(ch)
    if (this.bytes + size > this.opts.maxLine) {
      this.overflow = true
      return undefined
    }
    this.buf.splice(this.cursor, 0, ch)
    this.bytes += size
    this.cursor++
    if (this.cursor === this.buf.length) return { type: 'output', output: shown(ch) }
    return this.redraw()
  }

  private backspace(): EditorEvent | undefined {
    if (this.cursor === 0) return undefined
    const [gone] = this.buf.splice(this.cursor - 1, 1)
    this.bytes -= utf8Bytes(gone!)
    this.cursor--
    const w = columnsOf(shown(gone!))
    if (this.cursor === this.buf.length && w > 0) {
      return { type: 'output', output: `${'\b'.repeat(w)}${' '.repeat(w)}${'\b'.repeat(w)}` }
    }
    return this.redraw()
  }

  private deleteForward(): EditorEvent | undefined {
    if (this.cursor >= this.buf.length) return undefined
    this.bytes -= utf8Bytes(this.buf.splice(this.cursor, 1)[0]!)
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
    this.setLine([])
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
        return { type: 'output', output: move(columnsOf(shown(this.buf[this.cursor - 1]!)), 'C') }
      case '[D':
      case 'OD':
        if (this.cursor === 0) return undefined
        this.cursor--
        return { type: 'output', output: move(columnsOf(shown(this.buf[this.cursor]!)), 'D') }
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
    this.setLine(to === this.history.length ? this.draft : [...this.history[to]!])
    return this.redraw()
  }

  /** Rewrite the whole line: carriage return, prompt, text, clear to end, cursor back into place. */
  private redraw(): EditorEvent {
    const back = this.buf.slice(this.cursor).reduce((n, ch) => n + columnsOf(shown(ch)), 0)
    return { type: 'output', output: `\r${this.opts.prompt}${this.buf.map(shown).join('')}${ESC}[K${move(back, 'D')}` }
  }
}
