import { AuthError } from './errors.js'

/** The built-in user that stands for unauthenticated callers. */
export const ANON = 'anon'

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * Normalise and validate a user or group name. Input is folded to lower case (`Alice` is `alice`),
 * then must match `[a-z0-9][a-z0-9._-]{0,63}`.
 */
export function parseName(input: unknown, what: 'user' | 'group' = 'user'): string {
  const name = typeof input === 'string' ? input.toLowerCase() : ''
  if (!NAME.test(name)) {
    throw new AuthError(
      'NAME_INVALID',
      `invalid ${what} name '${printable(input)}': use 1-64 of a-z 0-9 . _ - starting with a letter or digit`,
    )
  }
  return name
}

/**
 * Characters that could drive a terminal or disguise text: C0/C1 controls, DEL, line/paragraph separators and
 * bidirectional overrides. Everything else (any script, accents, emoji) is shown as it is.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g

/** Replace terminal-unsafe characters with `?`; UTF-8 text passes through. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, '?')
}

/** Shorten and de-control arbitrary input so it is safe to show in a one-line message. */
export function printable(input: unknown): string {
  const clean = [...safeText(typeof input === 'string' ? input : String(input))]
  return clean.length > 80 ? `${clean.slice(0, 77).join('')}...` : clean.join('')
}
