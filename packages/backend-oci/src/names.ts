import { OciError } from './errors'

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const SHA256 = /^sha256:[a-f0-9]{64}$/
const SHA512 = /^sha512:[a-f0-9]{128}$/

export function assertName(name: string): void {
  if (name.length <= 255 && NAME.test(name)) return
  const why = name.includes('%') ? 'invalid repository name: percent-encoded characters (such as %2e%2e or %2F) are not allowed' : 'invalid repository name'
  throw new OciError(400, 'NAME_INVALID', why, { name: name.slice(0, 300) })
}

/** A digest query parameter that must be present (`?digest=` to finish an upload). */
export function requiredDigest(params: URLSearchParams, parameter: string): string {
  const value = params.get(parameter)
  if (value === null) throw new OciError(400, 'DIGEST_INVALID', `the ${parameter} query parameter is required`, { parameter })
  assertDigest(value)
  return value
}

export const isTag = (ref: string): boolean => TAG.test(ref)

/** Accept sha256 digests; a well-formed digest of another algorithm is UNSUPPORTED, anything else DIGEST_INVALID. */
export function assertDigest(digest: string | null | undefined): asserts digest is string {
  if (typeof digest === 'string' && SHA256.test(digest)) return
  if (typeof digest === 'string' && SHA512.test(digest)) {
    throw new OciError(400, 'UNSUPPORTED', 'only sha256 digests are supported', { digest })
  }
  throw new OciError(400, 'DIGEST_INVALID', 'invalid digest', { digest: String(digest).slice(0, 200) })
}

export const looksLikeDigest = (ref: string): boolean => DIGEST.test(ref)
export const isSha256 = (ref: string): boolean => SHA256.test(ref)
export const hexOf = (digest: string): string => digest.slice(digest.indexOf(':') + 1)
