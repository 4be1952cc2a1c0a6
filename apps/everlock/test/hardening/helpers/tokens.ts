// API tokens through the admin console: create (the secret is shown once) and revoke.
import type { Everlock } from './serve.js'

const created = new Map<string, string>()

/** Creates a token for `user`; returns its secret. */
export async function createToken(ev: Everlock, user: string): Promise<string> {
  const out = await ev.console(`/tokens create ${user}`)
  const secret = /secret:\s*(\S+)/i.exec(out)?.[1]
  const id = /id:\s*(\S+)/i.exec(out)?.[1]
  if (!secret || !id) throw new Error(`cannot read a token from: ${out}`)
  created.set(secret, id)
  return secret
}

export async function revokeToken(ev: Everlock, secret: string): Promise<void> {
  await ev.console(`/tokens revoke ${created.get(secret)}`)
}
