import type { IncomingMessage } from 'node:http'

/** What a request presents. `invalid` = an Authorization header we cannot use (never treated as anon). */
export type Credentials =
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'session'; secret: string }
  | { kind: 'none' }
  | { kind: 'invalid' }

const MAX_HEADER = 8192

/** Reads `Authorization: Basic|Bearer`, then the session cookie; nothing → `none`. */
export function readCredentials(req: IncomingMessage, cookieName: string | undefined): Credentials {
  const header = req.headers.authorization
  if (header !== undefined) return parseAuthorization(header)
  if (cookieName) {
    const secret = readCookie(req.headers.cookie, cookieName)
    if (secret !== undefined) return secret ? { kind: 'session', secret } : { kind: 'invalid' }
  }
  return { kind: 'none' }
}

export function parseAuthorization(header: string): Credentials {
  if (header.length > MAX_HEADER) return { kind: 'invalid' }
  const space = header.indexOf(' ')
  if (space < 0) return { kind: 'invalid' }
  const scheme = header.slice(0, space).toLowerCase()
  const value = header.slice(space + 1).trim()
  if (scheme === 'basic') return parseBasic(value)
  if (scheme === 'bearer') return value && !/\s/.test(value) ? { kind: 'bearer', token: value } : { kind: 'invalid' }
  return { kind: 'invalid' }
}

function parseBasic(value: string): Credentials {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return { kind: 'invalid' }
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  // Empty user and password is what registry clients (containers/image: podman, skopeo) send after a Basic
  // challenge when they hold no credentials: that is no credentials, i.e. anon, not a failed login.
  if (decoded === ':') return { kind: 'none' }
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) return { kind: 'invalid' }
  return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** The value of one cookie, or undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
    try {
      return decodeURIComponent(value)
    } catch {
      return ''
    }
  }
  return undefined
}
