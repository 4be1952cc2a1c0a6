import { AuthError } from './errors.js'
import { parseName, printable } from './names.js'

export interface Subject {
  readonly kind: 'user' | 'group'
  readonly name: string
  /** `user:<name>` or `group:<name>` */
  readonly subject: string
}

/** `user:<name>`, `group:<name>`, or a bare user name. */
export function parseSubject(input: unknown): Subject {
  const text = typeof input === 'string' ? input : ''
  const colon = text.indexOf(':')
  const prefix = colon < 0 ? 'user' : text.slice(0, colon).toLowerCase()
  if (prefix !== 'user' && prefix !== 'group') {
    throw new AuthError('SUBJECT_INVALID', `subject must be user:<name>, group:<name> or a user name, not '${printable(input)}'`)
  }
  const name = parseName(colon < 0 ? text : text.slice(colon + 1), prefix)
  return { kind: prefix, name, subject: `${prefix}:${name}` }
}
