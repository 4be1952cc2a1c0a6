import type { IncomingMessage } from 'node:http'
import { ANON, parseAccessPath, type Auth, type Identity } from '@everlock/auth-grants'
import type { CredentialCache } from './credential-cache.js'
import { readCredentials, type Credentials } from './credentials.js'
import { HttpFrontendError } from './errors.js'
import type { LoginThrottle } from './throttle.js'
import type { Authorize, Logger, Need } from './types.js'

export interface AuthorizerOptions {
  /** Only `verifyToken`, `verifySession` and `can` are used here; passwords go through `cache`. */
  auth: Pick<Auth, 'verifyToken' | 'verifySession' | 'can'>
  /** The instance's access path, e.g. `http/oci/default`; needs are appended below it. */
  accessPath: string
  /** Shown in `WWW-Authenticate: Basic realm="…"` (default `Everlock`). */
  realm?: string
  /** Shared by all authorizers of a frontend. */
  cache: CredentialCache
  /** Shared by all authorizers of a frontend. */
  throttle: LoginThrottle
  /** Cookie holding a login session secret (default `everlock_session`); `false` to ignore cookies. */
  sessionCookie?: string | false
  /** The address failures are counted against (default: the socket's remote address). */
  clientAddress?: (req: IncomingMessage) => string
  /** Failed logins are reported with `warn` (address, scheme and user name; never a secret). */
  log?: Logger
}

export const ANON_IDENTITY: Identity = Object.freeze({ user: ANON, via: 'anon' })
export const DEFAULT_REALM = 'Everlock'
export const DEFAULT_SESSION_COOKIE = 'everlock_session'

const TOKEN_PREFIX = 'evl_'
const NEED_PATH = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/

/** Per request: the identity its credentials resolve to (undefined = invalid), so it is checked once. */
const resolved = new WeakMap<IncomingMessage, { cache: CredentialCache; identity: Promise<Identity | undefined> }>()

export function defaultClientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown'
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

/** What turns a request's credentials into an identity. */
export type IdentifyOptions = Omit<AuthorizerOptions, 'accessPath' | 'realm'>

/**
 * Credentials (Basic, Bearer, session cookie, none = anon) → identity, once per request (shared by every
 * identify function over the same cache). Resolves undefined for bad credentials, after the address's
 * failure delay. Rejects with `LOGIN_THROTTLED` / `LOGIN_OVERLOADED` when a password cannot be checked now.
 */
export function createIdentify(options: IdentifyOptions): (req: IncomingMessage) => Promise<Identity | undefined> {
  const { auth, cache, throttle } = options
  const cookie = options.sessionCookie === false ? undefined : (options.sessionCookie ?? DEFAULT_SESSION_COOKIE)
  const clientAddress = options.clientAddress ?? defaultClientAddress

  function failed(address: string, credentials: Credentials): void {
    options.log?.warn?.('login failed', {
      address,
      scheme: credentials.kind,
      user: credentials.kind === 'basic' ? printable(credentials.user) : undefined,
    })
  }

  async function identify(req: IncomingMessage, credentials: Credentials): Promise<Identity | undefined> {
    const address = clientAddress(req)
    if (credentials.kind === 'basic') {
      const { user, password } = credentials
      return throttledCheck(options, address, user, password, () => verifyBasic(user, password), () => failed(address, credentials))
    }
    const identity = await verify(credentials)
    if (!identity) {
      failed(address, credentials)
      await throttle.failure(address)
    }
    return identity
  }

  async function verifyBasic(user: string, password: string): Promise<Identity | undefined> {
    // An API token may be sent as the password of its user (what `docker login` can do).
    if (password.startsWith(TOKEN_PREFIX)) {
      const identity = await auth.verifyToken(password)
      if (identity && identity.user === user.toLowerCase()) return identity
    }
    return cache.verifyPassword(user, password)
  }

  async function verify(credentials: Exclude<Credentials, { kind: 'basic' }>): Promise<Identity | undefined> {
    switch (credentials.kind) {
      case 'none':
        return ANON_IDENTITY
      case 'bearer':
        return auth.verifyToken(credentials.token)
      case 'session':
        return auth.verifySession(credentials.secret)
      case 'invalid':
        return undefined
    }
  }

  return function identityOf(req) {
    const known = resolved.get(req)
    if (known && known.cache === cache) return known.identity
    const identity = identify(req, readCredentials(req, cookie))
    resolved.set(req, { cache, identity })
    return identity
  }
}

/**
 * A password check through the credential cache and the login throttle, as Basic auth gets: a recent success
 * answers from memory at once; a failure is answered after the address's delay; rejects with `LOGIN_THROTTLED` /
 * `LOGIN_OVERLOADED` when it cannot be checked now.
 */
function throttledCheck(
  options: Pick<IdentifyOptions, 'cache' | 'throttle'>,
  address: string,
  user: string,
  password: string,
  verify: () => Promise<Identity | undefined>,
  onFailure: () => void,
): Promise<Identity | undefined> {
  const { cache, throttle } = options
  if (cache.has(user, password)) return cache.verifyPassword(user, password)
  const check = async (): Promise<Identity | undefined> => {
    const identity = await verify()
    if (!identity) onFailure()
    return identity
  }
  return throttle.check(address, cache.keyOf(user, password), check, { remembered: cache.remembers(user, password) })
}

/**
 * A web app's login form: `user`'s password (no API token) checked exactly as Basic auth is — cached,
 * throttled per client address, failures logged. Resolves undefined for a wrong password.
 */
export function createPasswordCheck(options: IdentifyOptions): (req: IncomingMessage, user: string, password: string) => Promise<Identity | undefined> {
  const clientAddress = options.clientAddress ?? defaultClientAddress
  return (req, user, password) => {
    const address = clientAddress(req)
    return throttledCheck(options, address, user, password, () => options.cache.verifyPassword(user, password), () =>
      options.log?.warn?.('login failed', { address, scheme: 'form', user: printable(user) }),
    )
  }
}

/**
 * Builds the `authorize` function of one backend instance: credentials (Basic, Bearer, session cookie,
 * none = anon) → identity, then `auth.can(identity, accessPath[/need.path], need.role)`.
 * Bad credentials answer 401 after the address's failure delay; refusals answer 401 + challenge for
 * anon and 403 for a known identity. A password that cannot be checked now (see `createIdentify`) rejects.
 */
export function createAuthorizer(options: AuthorizerOptions): Authorize {
  const { auth } = options
  let accessPath: string
  try {
    accessPath = parseAccessPath(options.accessPath).path
  } catch (cause) {
    throw new HttpFrontendError('ACCESS_PATH_INVALID', `invalid access path for an authorizer`, { cause })
  }
  const challenge = basicChallenge(options.realm ?? DEFAULT_REALM)
  const identityOf = createIdentify(options)

  return async function authorize(req: IncomingMessage, need: Need) {
    const path = need.path === '' ? accessPath : `${accessPath}/${checkNeedPath(need.path)}`
    const identity = await identityOf(req)
    if (!identity) return { ok: false, status: 401, challenge }
    if (await auth.can(identity, path, need.role)) return { ok: true, identity }
    return identity.via === 'anon' ? { ok: false, status: 401, challenge } : { ok: false, status: 403 }
  }
}

function checkNeedPath(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  if (!NEED_PATH.test(trimmed) || trimmed.split('/').some((s) => s === '.' || s === '..')) {
    throw new HttpFrontendError('NEED_INVALID', 'need.path must be segments of [A-Za-z0-9._-], no . or ..')
  }
  return trimmed
}

/** `Basic realm="…"`, quoting the realm as RFC 7235 asks. */
export function basicChallenge(realm: string): string {
  return `Basic realm="${realm.replace(/[\\"]/g, (c) => '\\' + c).replace(/[\r\n]/g, ' ')}"`
}

/** A user name fit for a log line: at most 64 characters, control characters replaced. */
function printable(text: string): string {
  return text.slice(0, 64).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}
