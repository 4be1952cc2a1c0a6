import type { IncomingHttpHeaders } from 'node:http'

/** Inclusive byte offsets of one range of a representation. */
export interface Slice {
  readonly start: number
  readonly end: number
}

/**
 * How to answer a GET of a representation of `size` bytes whose entity tag is `etag` (RFC 9110 §13.2.2 order):
 * `not-modified` (If-None-Match matched), `range` (one satisfiable byte range), `unsatisfiable` (416), or
 * `whole` (no Range, a Range we ignore — other units, bad syntax, several ranges — or an If-Range that does not
 * match).
 */
export type Answer = { kind: 'whole' } | { kind: 'not-modified' } | { kind: 'unsatisfiable' } | ({ kind: 'range' } & Slice)

export function answerFor(headers: IncomingHttpHeaders, etag: string, size: number): Answer {
  if (isNotModified(headers, etag)) return { kind: 'not-modified' }
  const range = headers.range
  if (range === undefined) return { kind: 'whole' }
  const ifRange = headers['if-range']
  if (ifRange !== undefined && String(ifRange).trim() !== etag) return { kind: 'whole' } // a date or a weak tag never matches
  return parseByteRange(range, size)
}

/** If-None-Match: weak comparison against a list of entity tags, or `*` (the representation exists). */
export function isNotModified(headers: IncomingHttpHeaders, etag: string): boolean {
  const header = headers['if-none-match']
  if (header === undefined) return false
  const opaque = etag.replace(/^W\//, '')
  return header.split(',').some((item) => {
    const tag = item.trim()
    return tag === '*' || tag.replace(/^W\//, '') === opaque
  })
}

const SPEC = /^(\d*)-(\d*)$/

/**
 * One `bytes=` range (RFC 9110 §14.1.1): first-last, first-, or -suffix. A header we cannot use is ignored (the
 * whole body): another unit, a malformed or reversed range, several ranges (we send no multipart bodies).
 */
export function parseByteRange(header: string, size: number): Answer {
  const eq = header.indexOf('=')
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'whole' }
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (specs.length !== 1) return { kind: 'whole' }
  const m = SPEC.exec(specs[0]!)
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' }
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) return { kind: 'unsatisfiable' }
    if (size === 0) return { kind: 'whole' } // nothing to slice; the empty body is the answer
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(m[1])
  const last = m[2] === '' ? Infinity : Number(m[2])
  if (last < start) return { kind: 'whole' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'range', start, end: Math.min(last, size - 1) }
}
