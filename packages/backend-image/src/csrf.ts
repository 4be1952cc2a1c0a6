import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { ImageError } from './errors.js'

export const CSRF_HEADER = 'x-csrf-token'

/** Methods that change something: these are checked for cross-site origin and (for sessions) the CSRF token. */
export const isChanging = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS'

/**
 * Refuse a request a browser marks as coming from another site: `Sec-Fetch-Site` other than same-origin/none,
 * or an `Origin` whose host is not the request's `Host` (`Origin: null` included). Clients that send neither
 * (curl, registries, scripts) pass.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw crossSite(`Sec-Fetch-Site: ${site.slice(0, 20)}`)
  const origin = req.headers.origin
  if (origin === undefined) return
  let host: string | undefined
  try {
    host = origin === 'null' ? undefined : new URL(origin).host
  } catch {
    host = undefined
  }
  if (!host || withoutDefaultPort(host) !== withoutDefaultPort((req.headers.host ?? '').toLowerCase())) throw crossSite('the Origin is not this site')
}

/** `Host: example.org:443` names the same site as `Origin: https://example.org`. */
const withoutDefaultPort = (host: string) => host.replace(/:(80|443)$/, '')

/** The request's `X-CSRF-Token` must equal `expected` (constant time); 403 CSRF_FAILED otherwise. */
export function checkCsrfToken(req: IncomingMessage, expected: string | undefined): void {
  const sent = req.headers[CSRF_HEADER]
  if (typeof sent !== 'string' || sent === '' || !expected || !sameSecret(sent, expected)) {
    throw new ImageError('CSRF_FAILED', 'this change needs the X-CSRF-Token header of your session (GET /api/session tells it)')
  }
}

/** Constant-time equality of two strings of any length (compares their sha256). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(a), digest(b))
}

/** Does the request carry the cookie `name` (and no Authorization header, which would take precedence)? */
export function carriesCookie(req: IncomingMessage, name: string): boolean {
  if (req.headers.authorization !== undefined) return false
  const header = req.headers.cookie
  return header !== undefined && header.split(';').some((part) => part.split('=', 1)[0]!.trim() === name)
}

const crossSite = (why: string) => new ImageError('CROSS_SITE', `cross-site changes are refused (${why})`)
