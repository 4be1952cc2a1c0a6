import { AuthError } from './errors.js'
import { printable } from './names.js'
import type { Role } from './types.js'

export const ROLES: readonly Role[] = ['reader', 'writer', 'owner']

const RANK: Record<Role, number> = { reader: 1, writer: 2, owner: 3 }

/** reader < writer < owner: does `have` include everything `need` allows? */
export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need]
}

/** The higher of two roles. */
export function maxRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b
}

/** Accepts `reader`/`writer`/`owner` in any case (`Reader` as in the console docs). */
export function parseRole(input: unknown): Role {
  const role = typeof input === 'string' ? input.toLowerCase() : ''
  if (role === 'reader' || role === 'writer' || role === 'owner') return role
  throw new AuthError('ROLE_INVALID', `role must be reader, writer or owner, not '${printable(input)}'`)
}

/**
 * The role an HTTP method needs by default: GET/HEAD/OPTIONS read, POST/PUT/PATCH write, DELETE owns.
 * Anything else needs owner (least privilege).
 */
export function roleForMethod(method: string): Role {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return 'reader'
    case 'POST':
    case 'PUT':
    case 'PATCH':
      return 'writer'
    default:
      return 'owner'
  }
}
