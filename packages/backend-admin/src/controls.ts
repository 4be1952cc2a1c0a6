import { AdminError } from './errors.js'

const NAMES: Record<number, string> = { 0x00: 'NUL', 0x08: 'backspace', 0x09: 'tab', 0x0a: 'line feed', 0x0d: 'carriage return', 0x1b: 'escape', 0x7f: 'delete' }

const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f)

/**
 * Refuse a line holding a control character (C0, DEL or C1, tabs included) instead of silently dropping or
 * changing it: a password or name must be exactly what was typed. The error names the first one and its
 * position (1-based, in characters; `offset` characters came before `line`, e.g. trimmed spaces).
 */
export function refuseControls(line: string, offset = 0): void {
  let position = offset
  for (const ch of line) {
    position++
    const code = ch.codePointAt(0)!
    if (!isControl(code)) continue
    const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
    const name = NAMES[code] ?? (code < 0x20 ? `Ctrl-${String.fromCharCode(code + 0x40)}` : 'C1 control')
    throw new AdminError('CONTROL_CHARACTER', `control character ${hex} (${name}) at position ${position} refused; nothing was run`)
  }
}
