// API tokens through the admin console: create (the secret is shown once) and revoke.
// Token text is `evl_<16 hex id>_<43 base64url>` (auth-grants); the console prints it once.
import type { Everlock } from './serve.js'

const TOKEN = /evl_([0-9a-f]{16})_[A-Za-z0-9_-]{43}/

/** Creates a token for `user`; returns the bearer text. */
export async function createToken(ev: Everlock, user: string): Promise<string> {
  const out = await ev.console(`/tokens create ${user}`)
  const m = TOKEN.exec(out)
  if (!m) throw new Error(`no token in the console's answer: ${out}`)
  return m[0]
}

export async function revokeToken(ev: Everlock, token: string): Promise<void> {
  const id = TOKEN.exec(token)![1]!
  await ev.console(`/tokens revoke ${id}`)
}
