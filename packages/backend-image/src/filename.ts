import { ImageError } from './errors.js'

const MAX_FILENAME_BYTES = 255
// C0 and C1 controls, DEL, and the bidirectional overrides that make a name display as something else.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/**
 * A display name for an upload. Names are never used as paths, but a name that tries to be one (`/`, `\`, `..`)
 * or hides characters is refused rather than silently rewritten, so the uploader learns what happened.
 */
export function checkFilename(raw: string | undefined): string {
  if (raw === undefined) return 'untitled'
  const name = raw.normalize('NFC').trim()
  if (name === '') return 'untitled'
  if (LONE_SURROGATE.test(name)) throw invalid('is not well-formed Unicode')
  if (FORBIDDEN.test(name)) throw invalid('contains control characters')
  if (name.includes('/') || name.includes('\\')) throw invalid('contains a path separator')
  if (name === '.' || name === '..') throw invalid('is a path segment')
  if (Buffer.byteLength(name) > MAX_FILENAME_BYTES) throw invalid(`is longer than ${MAX_FILENAME_BYTES} bytes`)
  return name
}

const invalid = (why: string) => new ImageError('FILENAME_INVALID', `the filename ${why}`)

/** The filename of a raw upload: `X-Filename` (percent-encoded UTF-8 allowed), else `Content-Disposition`. */
export function filenameFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-filename']
  if (typeof x === 'string') return percentDecode(x)
  const disposition = headers['content-disposition']
  return typeof disposition === 'string' ? dispositionFilename(disposition) : undefined
}

function dispositionFilename(value: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*\s*=\s*(?:utf-8|UTF-8)''([^;\s]+)/.exec(value)
  if (extended) return percentDecode(extended[1]!)
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(value)
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1')
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/.exec(value)
  return token ? token[1] : undefined
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    throw invalid('has a broken percent-encoding')
  }
}

/** `Content-Disposition` for serving a stored name: ASCII fallback plus the RFC 5987 UTF-8 form. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
