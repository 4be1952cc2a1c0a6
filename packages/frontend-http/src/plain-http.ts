import type { IncomingMessage, ServerResponse } from 'node:http'
import { hostKey } from './host.js'

/** The path prefix of ACME HTTP-01 challenges (RFC 8555 §8.3). */
export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/'

export interface PlainHttpOptions {
  /** The key authorization for an HTTP-01 token while its challenge runs (from `@everlock/acme`), for any host. */
  acmeChallenge?: (token: string) => string | undefined
  /**
   * Send browsers to HTTPS on this port (308): GET/HEAD requests that accept `text/html`, except the registry
   * API (`/v2/`), ACME challenges and health checks, so API clients that chose plain HTTP keep it.
   */
  redirectToHttps?: { port: number }
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/
const NEVER_REDIRECTED = /^\/(?:v2(?:\/|$)|healthz$|readyz$|\.well-known\/acme-challenge\/)/

/** Wraps the frontend's listener for plain-HTTP listeners: ACME answers and the browser redirect come first. */
export function plainListenerExtras(listener: Listener, options: PlainHttpOptions = {}): Listener {
  const { acmeChallenge, redirectToHttps } = options
  if (!acmeChallenge && !redirectToHttps) return listener
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!
    const get = req.method === 'GET' || req.method === 'HEAD'
    if (acmeChallenge && get && path.startsWith(ACME_CHALLENGE_PREFIX)) {
      const token = path.slice(ACME_CHALLENGE_PREFIX.length)
      const answer = TOKEN.test(token) ? acmeChallenge(token) : undefined
      if (answer !== undefined) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': Buffer.byteLength(answer), 'Cache-Control': 'no-store' })
        res.end(req.method === 'HEAD' ? undefined : answer)
        return
      }
    }
    if (redirectToHttps && get && !NEVER_REDIRECTED.test(path) && /\btext\/html\b/.test(req.headers.accept ?? '')) {
      const host = hostKey(req.headers.host)
      if (host) {
        const port = redirectToHttps.port === 443 ? '' : `:${redirectToHttps.port}`
        res.writeHead(308, { Location: `https://${host}${port}${req.url ?? '/'}`, 'Content-Length': 0 })
        res.end()
        return
      }
    }
    listener(req, res)
  }
}
