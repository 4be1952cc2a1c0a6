/** Longest command line accepted from a client, in bytes of UTF-8 (the console's own limit). */
export const MAX_LINE = 8192

export const TOO_LONG = `line too long (over ${MAX_LINE} bytes); ignored`

/** UTF-8 bytes of `text`: the unit of MAX_LINE everywhere (PTY editor, piped shell, exec). */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
