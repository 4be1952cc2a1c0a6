import { timingSafeEqual } from 'node:crypto'
import type { AuthContext } from './ssh2.js'
import { utils } from './ssh2.js'
import type { FailureThrottle } from './throttle.js'
import type { SshAuth, SshLog } from './types.js'

const METHODS = ['password', 'publickey'] as const
/** Failed attempts one connection may make before it is closed. */
export const MAX_FAILURES_PER_CONNECTION = 6

export interface AuthState {
  failures: number
  user?: string
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * One ssh2 authentication attempt: password or public key against auth-grants; `none` and other methods
 * are refused listing the two we take; `anon` never logs in. Failures are answered after a delay that
 * grows per remote address.
 */
export async function authenticate(
  ctx: AuthContext,
  deps: { auth: SshAuth; throttle: FailureThrottle; address: string; log: SshLog; state: AuthState; close(): void },
): Promise<void> {
  const refuse = async (): Promise<void> => {
    deps.state.failures++
    const delay = deps.throttle.fail(deps.address)
    deps.log('ssh login failed', { user: ctx.username, method: ctx.method, address: deps.address })
    await new Promise((r) => setTimeout(r, delay))
    ctx.reject([...METHODS])
    if (deps.state.failures >= MAX_FAILURES_PER_CONNECTION) deps.close()
  }
  const accept = (user: string): void => {
    deps.throttle.succeed(deps.address)
    deps.state.user = user
    ctx.accept()
  }
  const user = ctx.username
  if (ctx.method === 'password') {
    const identity = user.toLowerCase() === 'anon' ? undefined : await deps.auth.verifyPassword(user, ctx.password)
    return identity ? accept(identity.user) : refuse()
  }
  if (ctx.method === 'publickey') {
    const parsed = utils.parseKey(ctx.key.data)
    if (parsed instanceof Error || Array.isArray(parsed) || user.toLowerCase() === 'anon') return refuse()
    const identity = await deps.auth.verifyPublicKey(user, parsed.type, ctx.key.data)
    if (!identity || !sameBytes(parsed.getPublicSSH(), ctx.key.data)) {
      // a client offering keys one by one is not an attack: answer unknown-key queries at once
      if (!ctx.signature) return ctx.reject([...METHODS])
      return refuse()
    }
    // no signature yet: the client asks whether this key would do; it signs in the next message
    if (!ctx.signature) return ctx.accept()
    if (parsed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return refuse()
    return accept(identity.user)
  }
  ctx.reject([...METHODS])
}
