import { createHash } from 'node:crypto'
import { AuthError } from './errors.js'
import { printable, safeText } from './names.js'

/** A parsed OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export interface SshPublicKey {
  readonly type: string
  /** The decoded key blob (SSH wire format). */
  readonly blob: Buffer
  readonly comment: string
  /** `SHA256:<base64, no padding>` of the blob, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
  /** `type base64 [comment]`, normalised whitespace. */
  readonly line: string
}

/** Key types and the number of SSH strings their blob holds after the type name. */
const FIELDS: Record<string, number> = {
  'ssh-ed25519': 1,
  'ssh-rsa': 2,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'sk-ssh-ed25519@openssh.com': 2,
  'sk-ecdsa-sha2-nistp256@openssh.com': 3,
}
const MAX_LINE = 16 * 1024
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

function invalid(why: string): AuthError {
  return new AuthError('KEY_INVALID', `invalid SSH public key: ${why}`)
}

/** Split an SSH wire-format blob into its length-prefixed strings; undefined if it does not parse exactly. */
function readStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = []
  let at = 0
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined
    const len = blob.readUInt32BE(at)
    at += 4
    if (at + len > blob.length) return undefined
    out.push(blob.subarray(at, at + len))
    at += len
  }
  return out
}

function checkBody(type: string, fields: Buffer[]): void {
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    if (fields[0]?.length !== 32) throw invalid('ed25519 key must be 32 bytes')
  } else if (type === 'ssh-rsa') {
    const n = fields[1] ?? Buffer.alloc(0)
    const bits = (n.length - (n[0] === 0 ? 1 : 0)) * 8
    if (bits < 2048) throw invalid('RSA keys need at least 2048 bits')
  } else {
    const curve = type.replace(/^sk-/, '').replace(/@openssh\.com$/, '').replace('ecdsa-sha2-', '')
    if (fields[0]?.toString('latin1') !== curve) throw invalid(`curve does not match type ${type}`)
  }
}

/** `SHA256:` + unpadded base64 of sha256(blob), like `ssh-keygen -lf`. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/**
 * Parse one OpenSSH public key line: `type base64 [comment]`. The blob must decode, name the same type
 * as the line, and have that type's shape. authorized_keys options are not accepted.
 */
export function parseSshPublicKey(input: unknown): SshPublicKey {
  if (typeof input !== 'string' || input.length > MAX_LINE) throw invalid('expected one line of text')
  const line = input.trim()
  if (/[\r\n]/.test(line)) throw invalid('expected a single line')
  const [type = '', data = '', ...rest] = line.split(/[ \t]+/)
  const expected = FIELDS[type]
  if (expected === undefined) throw invalid(`unsupported key type '${printable(type.slice(0, 40))}'`)
  if (!BASE64.test(data) || data.length % 4 !== 0) throw invalid('key data is not base64')
  const blob = Buffer.from(data, 'base64')
  const strings = readStrings(blob)
  if (!strings || strings.length === 0) throw invalid('key data is malformed')
  const [embedded, ...fields] = strings
  if (embedded?.toString('latin1') !== type) throw invalid(`key data is not of type ${type}`)
  if (fields.length !== expected) throw invalid('key data is malformed')
  checkBody(type, fields)
  const comment = safeText(rest.join(' '))
  return {
    type,
    blob,
    comment,
    fingerprint: sshFingerprint(blob),
    line: comment ? `${type} ${data} ${comment}` : `${type} ${data}`,
  }
}
