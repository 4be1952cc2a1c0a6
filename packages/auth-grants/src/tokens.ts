import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Bearer credentials: `<prefix>_<id>_<secret>` where id is 16 hex digits (looked up, not secret) and
 * secret is 32 random bytes in base64url. Only sha256(secret) is stored: the secret is high-entropy,
 * so a fast hash is the right tool (no KDF needed).
 */
export interface Credential {
  readonly id: string
  readonly secret: string
  readonly text: string
}

const SECRET = /^[A-Za-z0-9_-]{43}$/
const ID = /^[0-9a-f]{16}$/

export function newCredential(prefix: 'evl' | 'evs'): Credential {
  const id = randomBytes(8).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  return { id, secret, text: `${prefix}_${id}_${secret}` }
}

/** Split a presented credential; undefined when it is not well-formed. */
export function parseCredential(prefix: 'evl' | 'evs', text: unknown): { id: string; secret: string } | undefined {
  if (typeof text !== 'string' || !text.startsWith(`${prefix}_`)) return undefined
  const id = text.slice(prefix.length + 1, prefix.length + 17)
  const secret = text.slice(prefix.length + 18)
  if (text[prefix.length + 17] !== '_' || !ID.test(id) || !SECRET.test(secret)) return undefined
  return { id, secret }
}

export function isCredentialId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id)
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** Constant-time comparison of sha256(secret) with a stored hex hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = createHash('sha256').update(secret).digest()
  const expected = Buffer.from(storedHash, 'hex')
  return expected.length === actual.length && timingSafeEqual(actual, expected)
}
