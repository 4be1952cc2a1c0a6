import type { IncomingMessage } from 'node:http'
import type { EdgeError } from './edge-error.js'
import { printable } from './request-target.js'

const MAX_LISTED = 20

/**
 * The answer to a request for a host this server does not serve: 421 Misdirected Request (RFC 9110: this
 * server does not answer for that authority), naming the served host names unless `listHosts` is false.
 */
export function unknownHost(req: IncomingMessage, served: readonly string[], listHosts: boolean): EdgeError {
  const sent = req.headers.host
  const asked = sent ? `host "${printable(sent)}"` : 'a request without a Host header'
  const base = { status: 421, code: 'HOST_UNKNOWN', ociCode: 'NAME_UNKNOWN' } as const
  if (!listHosts) return { ...base, message: `${asked} is not served here` }
  if (served.length === 0) {
    return { ...base, message: `${asked} is not served here: no host names are served yet`, detail: { host: sent ?? null, served: [] } }
  }
  const listed = served.slice(0, MAX_LISTED).join(', ') + (served.length > MAX_LISTED ? ` and ${served.length - MAX_LISTED} more` : '')
  const port = portOf(sent) ?? req.socket.localPort
  const name = served.find((h) => !h.startsWith('[') && !/^[\d.]+$/.test(h)) ?? served[0]!
  const at = port === undefined ? name : `${name}:${port}`
  const address = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'
  return {
    ...base,
    message:
      `${asked} is not served here; this server serves ${listed}. Address it by one of those names, e.g. ${at}; ` +
      `where that name does not resolve, add "${address} ${name}" to /etc/hosts`,
    hint: `try: curl --resolve ${at}:${address.includes(':') ? `[${address}]` : address} http://${at}/`,
    detail: { host: sent ?? null, served },
  }
}

/** The port of a Host header value, if it has one. */
function portOf(host: string | undefined): number | undefined {
  const match = host ? /:(\d{1,5})$/.exec(host) : null
  return match ? Number(match[1]) : undefined
}
