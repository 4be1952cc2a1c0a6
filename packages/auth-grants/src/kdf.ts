import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { AuthError } from './errors.js'

/** scrypt cost parameters. N must be a power of two. */
export interface KdfParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

/** A stored password hash; parameters travel with it so they can be raised later. */
export interface PasswordHash extends KdfParams {
  readonly alg: 'scrypt'
  /** base64 */
  readonly salt: string
  /** base64 */
  readonly hash: string
}

export const DEFAULT_KDF: KdfParams = { N: 2 ** 15, r: 8, p: 1 }
const KEY_LENGTH = 32
const SALT_LENGTH = 16
const MAX_PASSWORD_BYTES = 1024

export function kdfParams(opts: Partial<KdfParams> = {}): KdfParams {
  const params = { ...DEFAULT_KDF, ...opts }
  const powerOfTwo = Number.isInteger(params.N) && params.N >= 2 && (params.N & (params.N - 1)) === 0
  if (!powerOfTwo || !Number.isInteger(params.r) || params.r < 1 || !Number.isInteger(params.p) || params.p < 1) {
    throw new TypeError('kdf: N must be a power of two >= 2, r and p positive integers')
  }
  return params
}

/** Non-empty, at most 1024 bytes of UTF-8. */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new AuthError('PASSWORD_INVALID', 'password must not be empty')
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new AuthError('PASSWORD_INVALID', `password must be at most ${MAX_PASSWORD_BYTES} bytes`)
  }
}

function derive(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  // scrypt needs about 128 * N * r * p bytes; raise maxmem above that (Node's default is 32 MiB).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r * params.p + (1 << 20) }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

export async function hashPassword(password: string, params: KdfParams): Promise<PasswordHash> {
  const salt = randomBytes(SALT_LENGTH)
  const hash = await derive(password, salt, params)
  return { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: hash.toString('base64') }
}

/** Runs the full KDF and compares in constant time. Also used against a dummy record for unknown users. */
export async function checkPasswordHash(password: string, record: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64')
  const actual = await derive(password, Buffer.from(record.salt, 'base64'), record)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A record no password matches (random hash), with the current parameters: same cost as a real check. */
export function dummyHash(params: KdfParams): PasswordHash {
  return {
    alg: 'scrypt',
    ...params,
    salt: randomBytes(SALT_LENGTH).toString('base64'),
    hash: randomBytes(KEY_LENGTH).toString('base64'),
  }
}
