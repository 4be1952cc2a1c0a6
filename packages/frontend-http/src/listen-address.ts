import { isIP } from 'node:net'
import { HttpFrontendError } from './errors.js'

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:0`, `localhost:9464` → host and port. */
export function parseListenAddress(input: string): ListenAddress {
  const text = typeof input === 'string' ? input.trim() : ''
  const bad = (): never => {
    throw new HttpFrontendError('LISTEN_ADDRESS_INVALID', `listen address must be host:port or [ipv6]:port`)
  }
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end < 0 || text[end + 1] !== ':') bad()
    host = text.slice(1, end)
    portText = text.slice(end + 2)
    if (isIP(host) !== 6) bad()
  } else {
    const colon = text.lastIndexOf(':')
    if (colon <= 0 || text.indexOf(':') !== colon) bad()
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
    if (isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) bad()
  }
  if (!/^\d{1,5}$/.test(portText)) bad()
  const port = Number(portText)
  if (port > 65535) bad()
  return { host, port }
}
