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

/** Shorten and de-control arbitrary input so it is safe to show in a one-line message. */
export function printable(input: unknown): string {
  const s = typeof input === 'string' ? input : String(input)
  const clean = s.replace(/[^\x20-\x7e]/g, '?')
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean
}
