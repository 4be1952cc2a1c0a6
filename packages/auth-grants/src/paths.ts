import { AuthError } from './errors.js'
import { printable } from './names.js'

/** A parsed access path: `frontend/backend/namespace[/more…]`. */
export interface AccessPath {
  /** Normalised text form, no trailing slash. */
  readonly path: string
  readonly segments: readonly string[]
}

const SEGMENT = /^(?:[A-Za-z0-9._-]+|\*)$/
const MAX_LENGTH = 1024

/**
 * Parse `http/oci/default`, `*\/*\/*`, `http/oci/default/team-a/` (a trailing slash is dropped).
 * At least three segments, each `[A-Za-z0-9._-]+` or `*`; `.` and `..` are refused.
 */
export function parseAccessPath(input: unknown): AccessPath {
  const text = typeof input === 'string' ? input : ''
  const trimmed = text.endsWith('/') ? text.slice(0, -1) : text
  const segments = trimmed.split('/')
  const ok =
    text.length > 0 &&
    text.length <= MAX_LENGTH &&
    segments.length >= 3 &&
    segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')
  if (!ok) {
    throw new AuthError(
      'PATH_INVALID',
      `invalid access path '${printable(input)}': want frontend/backend/namespace[/more], each part a name or *`,
    )
  }
  return { path: segments.join('/'), segments }
}

/**
 * Does a grant on `grant` cover a request on `request`? Every grant segment must equal the request's
 * segment at the same place or be `*` (which matches any one segment), and the grant may not be longer
 * than the request: `http/oci/default` covers `http/oci/default/team-a/app`, not the other way round.
 */
export function pathCovers(grant: AccessPath, request: AccessPath): boolean {
  if (grant.segments.length > request.segments.length) return false
  return grant.segments.every((g, i) => g === '*' || g === request.segments[i])
}
