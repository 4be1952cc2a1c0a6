import { StorageError } from './errors'

const MAX_PATH = 1024
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** Throws PATH_INVALID for empty, absolute, traversing, control-character or over-long paths. */
export function assertPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) throw invalid(path, 'must be a non-empty string')
  if (path.length > MAX_PATH) throw invalid(path, `must be at most ${MAX_PATH} characters`)
  if (CONTROL.test(path)) throw invalid(path, 'must not contain control characters')
  if (!isWellFormed(path)) throw invalid(path, 'must be well-formed Unicode (no lone surrogates or U+10FFFF)')
  if (path.startsWith('/') || path.endsWith('/')) throw invalid(path, 'must not start or end with /')
  for (const segment of path.split('/')) {
    if (segment === '') throw invalid(path, 'must not contain empty segments')
    if (segment === '.' || segment === '..') throw invalid(path, "must not contain '.' or '..' segments")
  }
}

/** A list prefix may be empty or end with '/'; otherwise the same rules as a path. */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (prefix === '') return
  if (typeof prefix !== 'string') throw invalid(prefix, 'must be a string')
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  assertPath(body)
}

/** No lone surrogates (they would collide once UTF-8 encoded) and no U+10FFFF (the key-range sentinel). */
function isWellFormed(path: string): boolean {
  return !/\p{Cs}|\u{10ffff}/u.test(path)
}

function invalid(path: unknown, why: string): StorageError {
  return new StorageError('PATH_INVALID', `invalid path '${String(path).slice(0, 80)}': ${why}`)
}
