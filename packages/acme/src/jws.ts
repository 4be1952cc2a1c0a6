import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

/** An ACME account key: ECDSA P-256, signed as ES256 (RFC 7518 §3.4). */
export interface AccountKey {
  readonly key: KeyObject
  /** The public key as a JWK with exactly the members RFC 7638 hashes, in order. */
  readonly jwk: { readonly crv: 'P-256'; readonly kty: 'EC'; readonly x: string; readonly y: string }
  /** RFC 7638 thumbprint (base64url SHA-256 of the canonical JWK). */
  readonly thumbprint: string
}

const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

export function generateAccountKey(): AccountKey {
  return accountKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
}

/** An account key from its PKCS#8 PEM (as kept in the store). */
export function accountKeyFromPem(pem: string): AccountKey {
  return accountKeyFrom(createPrivateKey(pem))
}

export function accountKeyPem(account: AccountKey): string {
  return account.key.export({ type: 'pkcs8', format: 'pem' }).toString()
}

function accountKeyFrom(key: KeyObject): AccountKey {
  const pub = createPublicKey(key).export({ format: 'jwk' })
  if (pub.kty !== 'EC' || pub.crv !== 'P-256' || !pub.x || !pub.y) throw new TypeError('an ACME account key must be ECDSA P-256')
  const jwk = { crv: 'P-256', kty: 'EC', x: pub.x, y: pub.y } as const
  return { key, jwk, thumbprint: b64u(createHash('sha256').update(JSON.stringify(jwk)).digest()) }
}

/**
 * A flattened JWS (RFC 8555 §6.2): `kid` once the account exists, the `jwk` before. `payload` undefined is a
 * POST-as-GET (empty payload).
 */
export function signRequest(
  account: AccountKey,
  header: { url: string; nonce: string; kid?: string },
  payload: unknown,
): string {
  const protectedHeader = { alg: 'ES256', nonce: header.nonce, url: header.url, ...(header.kid ? { kid: header.kid } : { jwk: account.jwk }) }
  const p = b64u(JSON.stringify(protectedHeader))
  const body = payload === undefined ? '' : b64u(JSON.stringify(payload))
  const signature = sign('sha256', Buffer.from(`${p}.${body}`), { key: account.key, dsaEncoding: 'ieee-p1363' })
  return JSON.stringify({ protected: p, payload: body, signature: b64u(signature) })
}

/** The HTTP-01 key authorization for a token (RFC 8555 §8.1). */
export const keyAuthorization = (account: AccountKey, token: string): string => `${token}.${account.thumbprint}`
