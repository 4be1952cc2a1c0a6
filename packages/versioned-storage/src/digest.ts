import { StorageError } from './errors'

const SHA256 = /^sha256:[a-f0-9]{64}$/

/** Throws DIGEST_INVALID unless `digest` is `sha256:<64 lowercase hex>`. */
export function assertDigest(digest: unknown): asserts digest is string {
  if (typeof digest !== 'string' || !SHA256.test(digest)) {
    throw new StorageError('DIGEST_INVALID', `invalid digest '${String(digest).slice(0, 80)}': expected sha256:<64 lowercase hex>`)
  }
}

export function isDigest(digest: unknown): digest is string {
  return typeof digest === 'string' && SHA256.test(digest)
}

export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length)
}

export function hexDigest(hex: string): string {
  return `sha256:${hex}`
}
