import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, body])
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** The SSH wire form of an ed25519 public key: string "ssh-ed25519", string key. */
export function ed25519PublicBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)])
}

/** `SHA256:…` as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`
}

/**
 * A fresh ed25519 key pair (node:crypto) written in the unencrypted OpenSSH private key format
 * (`-----BEGIN OPENSSH PRIVATE KEY-----`, PROTOCOL.key), which ssh2 and ssh-keygen read.
 */
export function generateEd25519OpenSsh(comment = 'everlock-host-key'): { privateKey: string; publicBlob: Buffer } {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string }
  const seed = Buffer.from(jwk.d, 'base64url')
  const pub = Buffer.from(jwk.x, 'base64url')
  const publicBlob = ed25519PublicBlob(pub)
  const check = randomBytes(4).readUInt32BE()
  let secret = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ])
  const pad: number[] = []
  for (let i = 1; (secret.length + pad.length) % 8 !== 0; i++) pad.push(i)
  secret = Buffer.concat([secret, Buffer.from(pad)])
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  ])
  const b64 = body.toString('base64').replace(/(.{70})/g, '$1\n').replace(/\n$/, '')
  return { privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`, publicBlob }
}
