import type { IncomingMessage, ServerResponse } from 'node:http'
import { ImageError } from './errors.js'
import { sendEmpty, sendJson } from './http.js'
import { asObject, readJson } from './json-body.js'
import { carriesCookie, checkCsrfToken, checkSameOrigin } from './csrf.js'
import type { Authorize, LibrarySessions, Role } from './types.js'

const MAX_LOGIN_BODY = 8192
const invalid = (message: string) => new ImageError('BAD_REQUEST', message)
const noLogins = () => new ImageError('NOT_FOUND', 'password login is not configured for this library')

export interface SessionContext {
  readonly authorize: Authorize | undefined
  readonly sessions: LibrarySessions | undefined
  readonly cookieName: string
}

/** Was this request authorized by the login session (so its changes need the CSRF token)? */
export function isSessionRequest(ctx: SessionContext, req: IncomingMessage, via: string | undefined): boolean {
  return via === 'session' || (via === undefined && carriesCookie(req, ctx.cookieName))
}

/** POST /api/session `{ user, password }` → the session cookie, the CSRF token and the role. */
export async function login(ctx: SessionContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkSameOrigin(req)
  if (!ctx.sessions) throw noLogins()
  const body = asObject(await readJson(req, MAX_LOGIN_BODY), invalid)
  const { user, password } = body
  if (typeof user !== 'string' || user === '' || user.length > 256) throw invalid('user must be a name')
  if (typeof password !== 'string' || password === '' || password.length > 1024) throw invalid('password must be a non-empty string')
  const result = await ctx.sessions.login(req, user, password)
  if (!result.ok) {
    const headers = result.retryAfter !== undefined ? { 'Retry-After': String(Math.max(1, Math.ceil(result.retryAfter))) } : undefined
    throw new ImageError(result.code, LOGIN_MESSAGES[result.code], headers ? { headers } : undefined)
  }
  res.setHeader('Set-Cookie', result.cookie)
  sendJson(res, 200, { user: result.user, role: result.role, csrfToken: result.csrfToken, expiresAt: result.expiresAt, anonymous: false })
}

const LOGIN_MESSAGES = {
  LOGIN_FAILED: 'wrong user name or password',
  NO_ACCESS: 'this user has no access to this library',
  TOO_MANY_REQUESTS: 'too many login attempts; try again later',
  UNAVAILABLE: 'logins cannot be checked right now; try again shortly',
} as const

/**
 * GET /api/session: who the request acts as (a session, Basic/Bearer, or anon on a public gallery) and with
 * what role; 401 without access. No `WWW-Authenticate` challenge, so a browser shows no password dialog.
 */
export async function currentSession(ctx: SessionContext, req: IncomingMessage, res: ServerResponse, headOnly: boolean): Promise<void> {
  if (!ctx.authorize) {
    sendJson(res, 200, { user: 'anonymous', role: 'owner', anonymous: true }, {}, headOnly)
    return
  }
  const reader = await ctx.authorize(req, { path: '', role: 'reader' })
  if (!reader.ok && reader.status === 401 && ctx.sessions && carriesCookie(req, ctx.cookieName)) {
    // A session cookie that no longer verifies (expired, ended, its user gone) would make every request fail,
    // even on a public gallery, and its CSRF token is unknown to the client: clear it.
    const { cookie } = await ctx.sessions.logout(req)
    throw new ImageError('UNAUTHORIZED', 'the session has ended; log in again', { headers: { 'Set-Cookie': cookie } })
  }
  if (!reader.ok) throw new ImageError(reader.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', reader.status === 401 ? 'not logged in' : 'this user has no access to this library')
  let role: Role = 'reader'
  for (const higher of ['owner', 'writer'] as const) {
    if ((await ctx.authorize(req, { path: '', role: higher })).ok) {
      role = higher
      break
    }
  }
  const { user, via } = reader.identity
  const csrfToken = isSessionRequest(ctx, req, via) ? ctx.sessions?.csrfTokenFor(req) : undefined
  sendJson(res, 200, { user, role, anonymous: via === 'anon', ...(csrfToken ? { csrfToken } : {}) }, {}, headOnly)
}

/** DELETE /api/session: end the session (its CSRF token required when a session cookie is sent) and clear the cookie. */
export async function logout(ctx: SessionContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkSameOrigin(req)
  if (!ctx.sessions) throw noLogins()
  if (carriesCookie(req, ctx.cookieName)) checkCsrfToken(req, ctx.sessions.csrfTokenFor(req))
  const { cookie } = await ctx.sessions.logout(req)
  sendEmpty(res, 204, { 'Set-Cookie': cookie, 'Cache-Control': 'no-store' })
}
