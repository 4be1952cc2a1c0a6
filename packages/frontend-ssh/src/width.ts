/** Wide (two-column) ranges: Hangul Jamo, CJK, Hangul syllables, compatibility forms, fullwidth forms, emoji. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
]

/**
 * Terminal columns one code point takes: 2 for East Asian wide characters and emoji, 0 for combining marks
 * and zero-width characters, 1 otherwise. Enough for the cursor to land where the user sees it.
 */
export function columnsOf(ch: string): number {
  const code = ch.codePointAt(0) ?? 0
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0
  return WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1
}
