import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { Auth, Role } from '@everlock/auth-grants'
import { DEFAULT_SESSION_COOKIE } from './authorizer.js'
import { readCookie } from './credentials.js'
import { isHttpFrontendError } from './errors.js'
import type { HttpFrontend } from './frontend.js'

/**
 * Password login for web apps behind the frontend (the media library's `LibrarySessions` of
 * `@everlock/backend-image` fits it structurally): passwords are checked through the HTTP frontend (credential cache and the
 * login throttle Basic auth uses), sessions come from auth-grants (hashed in the system store's side state).
 */
export interface WebSessionsOptions {
  readonly auth: Pick<Auth, 'createSession' | 'endSession' | 'effectiveRole'>
  /** The frontend serving the instance: `checkPassword` throttles failed logins per client address. */
  readonly frontend: Pick<HttpFrontend, 'checkPassword'>
  /** The instance's access path, `http/image/<instance>`: logging in needs at least reader on it. */
  readonly accessPath: string
  /** Session lifetime (default: auth-grants' default, 12 h). */
  readonly ttlMs?: number
  /** The session cookie's name; the frontend's `sessionCookie` (default `everlock_session`). */
  readonly cookieName?: string
  /**
   * Did the request come over TLS (the cookie then gets `Secure`)? Default: Express's `req.secure` (which
   * follows `trustProxy`), else the socket being a TLS socket.
   */
  readonly isSecure?: (req: IncomingMessage) => boolean
}

type LoginRefusal = { ok: false; status: 401 | 403 | 429 | 503; code: 'LOGIN_FAILED' | 'NO_ACCESS' | 'TOO_MANY_REQUESTS' | 'UNAVAILABLE'; retryAfter?: number }
export type WebLoginResult = { ok: true; user: string; role: Role; cookie: string; csrfToken: string; expiresAt: string } | LoginRefusal

export interface WebSessions {
  login(req: IncomingMessage, user: string, password: string): Promise<WebLoginResult>
  logout(req: IncomingMessage): Promise<{ cookie: string }>
  csrfTokenFor(req: IncomingMessage): string | undefined
}

/** The CSRF token of a session: an HMAC keyed by the session's secret, so it is bound to it and survives restarts. */
export function csrfTokenOf(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('everlock image csrf v1').digest('base64url')
}

export function defaultIsSecure(req: IncomingMessage): boolean {
  const viaExpress = (req as { secure?: unknown }).secure
  return typeof viaExpress === 'boolean' ? viaExpress : (req.socket as Partial<TLSSocket>).encrypted === true
}

export function createWebSessions(options: WebSessionsOptions): WebSessions {
  const { auth, frontend, accessPath } = options
  const name = options.cookieName ?? DEFAULT_SESSION_COOKIE
  const isSecure = options.isSecure ?? defaultIsSecure
  const cookie = (req: IncomingMessage, value: string, maxAgeSeconds: number) =>
    `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${isSecure(req) ? '; Secure' : ''}`
  const secretOf = (req: IncomingMessage) => readCookie(req.headers.cookie, name) || undefined

  return {
    async login(req, user, password) {
      let identity
      try {
        identity = await frontend.checkPassword(req, user, password)
      } catch (err) {
        if (!isHttpFrontendError(err) || (err.code !== 'LOGIN_THROTTLED' && err.code !== 'LOGIN_OVERLOADED')) throw err
        const throttled = err.code === 'LOGIN_THROTTLED'
        return { ok: false, status: throttled ? 429 : 503, code: throttled ? 'TOO_MANY_REQUESTS' : 'UNAVAILABLE', retryAfter: err.retryAfterSeconds ?? 1 }
      }
      if (!identity) return { ok: false, status: 401, code: 'LOGIN_FAILED' }
      // Only after the password is right, so that "no access" tells nothing about unknown users.
      const role = await auth.effectiveRole(identity, accessPath)
      if (!role) return { ok: false, status: 403, code: 'NO_ACCESS' }
      const session = await auth.createSession(identity.user, options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : undefined)
      const maxAge = Math.max(0, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000))
      return { ok: true, user: identity.user, role, cookie: cookie(req, session.secret, maxAge), csrfToken: csrfTokenOf(session.secret), expiresAt: session.expiresAt }
    },

    async logout(req) {
      const secret = secretOf(req)
      if (secret) await auth.endSession(secret)
      return { cookie: cookie(req, '', 0) }
    },

    csrfTokenFor(req) {
      const secret = secretOf(req)
      return secret ? csrfTokenOf(secret) : undefined
    },
  }
}
