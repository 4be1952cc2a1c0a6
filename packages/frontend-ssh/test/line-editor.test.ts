import { describe, expect, it } from 'vitest'
import { LineEditor, type EditorEvent } from '@everlock/frontend-ssh'

function type(editor: LineEditor, text: string): EditorEvent[] {
  const out: EditorEvent[] = []
  for (const ch of text) {
    const ev = editor.key(ch)
    if (ev) out.push(ev)
  }
  return out
}

describe('LineEditor', () => {
  it('submits lines on CR, LF or CRLF (once)', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 100 })
    const lines = type(e, 'a\rb\nc\r\nd\r\n').filter((ev) => ev.type === 'line').map((ev) => (ev as { line: string }).line)
    expect(lines).toEqual(['a', 'b', 'c', 'd'])
  })

  it('keeps unbound control characters in the line (drawn as ?) and swallows unknown escape sequences', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 100 })
    const out = type(e, 'a\x07b\x1b[31mc\x1b[?25ld\x00\x9be\tf')
    expect(e.line).toBe('a\x07bcd\x00\x9be\tf')
    // nothing raw reaches the terminal: each control character is echoed as one ?
    expect(out.map((ev) => ev.output).join('')).toBe('a?bcd??e?f')
  })

  it('marks a line past maxLine bytes of UTF-8 as too long', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 4 })
    expect(type(e, 'abcdef\r').pop()?.type).toBe('too-long')
    expect(type(e, 'ok\r').pop()).toMatchObject({ type: 'line', line: 'ok' })
    // two characters, six bytes
    expect(type(e, '日本\r').pop()?.type).toBe('too-long')
    expect(type(e, 'ü€\r').pop()?.type).toBe('too-long')
    expect(type(e, 'üü\r').pop()).toMatchObject({ type: 'line', line: 'üü' })
  })

  it('counts bytes back down on Backspace and Ctrl-U', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 6 })
    type(e, '日本\x7f\x7f日本\r')
    expect(type(e, '\x1b[A').length).toBe(1)
    expect(e.line).toBe('日本')
    type(e, '\x15abcdef')
    expect(type(e, '\r').pop()).toMatchObject({ type: 'line', line: 'abcdef' })
  })

  it('moves the cursor by terminal columns: two for wide characters', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 100 })
    type(e, 'a日')
    expect(type(e, '\x1b[D')).toEqual([{ type: 'output', output: '\x1b[2D' }])
    expect(type(e, '\x1b[D')).toEqual([{ type: 'output', output: '\x1b[D' }])
    expect(type(e, '\x1b[C\x1b[C')).toEqual([{ type: 'output', output: '\x1b[C' }, { type: 'output', output: '\x1b[2C' }])
    expect(type(e, '\x7f')).toEqual([{ type: 'output', output: '\b\b  \b\b' }])
    type(e, '本語\x01')
    // redraw after Home: back over 1 + 2 + 2 columns
    expect(type(e, '\x05')).toEqual([{ type: 'output', output: '\r> a本語\x1b[K' }])
    expect(type(e, '\x01')).toEqual([{ type: 'output', output: '\r> a本語\x1b[K\x1b[5D' }])
  })

  it('keeps history and the unsent draft', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 100 })
    type(e, 'one\rtwo\rdraft')
    type(e, '\x1b[A')
    expect(e.line).toBe('two')
    type(e, '\x1b[A\x1b[A')
    expect(e.line).toBe('one')
    type(e, '\x1b[B\x1b[B')
    expect(e.line).toBe('draft')
  })

  it('Ctrl-D leaves only on an empty line; Ctrl-U clears', () => {
    const e = new LineEditor({ prompt: '> ', maxLine: 100 })
    type(e, 'ab')
    expect(type(e, '\x04')).toEqual([])
    type(e, '\x15')
    expect(e.line).toBe('')
    expect(type(e, '\x04')).toEqual([{ type: 'eof', output: '\r\n' }])
  })
})
