import type { IncomingMessage } from 'node:http'
import { hostKey } from './host.js'

/** Why a request cannot be routed at all (answered 400). */
export interface TargetProblem {
  readonly code: 'HOST_DUPLICATE' | 'HOST_INVALID' | 'TARGET_INVALID'
  readonly message: string
}

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)/

/**
 * Checks a request's Host and target before routing, as RFC 9112 §3.2 asks: more than one `Host` header, or
 * one that is no host name or address (with an optional port), is a 400. An absolute-form target
 * (`GET http://registry.example/v2/ HTTP/1.1`) is routed by its authority, the `Host` header then ignored: the
 * request is rewritten to `Host: <authority>` and the origin-form path and query, byte for byte (so backends see
 * the usual form, with nothing decoded). Undefined when the request may go on.
 */
export function normaliseTarget(req: IncomingMessage): TargetProblem | undefined {
  let hosts = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++
  if (hosts > 1) return { code: 'HOST_DUPLICATE', message: `the request has ${hosts} Host headers; send exactly one` }
  const absolute = ABSOLUTE.exec(req.url ?? '/')
  if (absolute) {
    const [, scheme = '', authority = '', rest = ''] = absolute
    if (!/^https?$/i.test(scheme)) {
      return { code: 'TARGET_INVALID', message: `the request target's scheme must be http or https, not ${printable(scheme)}` }
    }
    if (authority.includes('@') || hostKey(authority) === undefined) {
      return { code: 'TARGET_INVALID', message: `the request target's authority "${printable(authority)}" is not host[:port]` }
    }
    req.headers.host = authority
    req.url = rest.startsWith('/') ? rest : `/${rest}`
    return undefined
  }
  const host = req.headers.host
  if (host !== undefined && host !== '' && hostKey(host) === undefined) {
    return { code: 'HOST_INVALID', message: `the Host header "${printable(host)}" is not a host name or address with an optional port` }
  }
  return undefined
}

/** Client text fit for an error message: at most 255 characters, control characters replaced. */
export function printable(text: string): string {
  return text.slice(0, 255).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}
