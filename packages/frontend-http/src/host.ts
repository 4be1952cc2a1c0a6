const NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/
const IPV6 = /^[0-9a-f:.]+$/

/**
 * The vhost key of a `Host` header: lower case, port and a trailing dot dropped, IPv6 in brackets
 * (`[::1]:8080` → `[::1]`). Undefined when the header is missing or malformed.
 */
export function hostKey(header: string | undefined): string | undefined {
  if (!header) return undefined
  const host = header.trim().toLowerCase()
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    if (end < 0) return undefined
    const rest = host.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined
    const addr = host.slice(1, end)
    return IPV6.test(addr) && addr.includes(':') ? `[${addr}]` : undefined
  }
  const colon = host.indexOf(':')
  const name = colon < 0 ? host : host.slice(0, colon)
  if (colon >= 0 && !/^\d{1,5}$/.test(host.slice(colon + 1))) return undefined
  const bare = name.endsWith('.') ? name.slice(0, -1) : name
  return NAME.test(bare) ? bare : undefined
}

/** Normalises a configured vhost name (`Localhost`, `::1`, `[::1]`, `registry.example.`); no port allowed. */
export function vhostName(input: string): string | undefined {
  if (typeof input !== 'string') return undefined
  const text = input.trim().toLowerCase()
  if (!text.startsWith('[') && text.includes(':')) {
    // a bare IPv6 address; anything with a port is refused
    return IPV6.test(text) && text.split(':').length > 2 ? `[${text}]` : undefined
  }
  if (text.startsWith('[') && !text.endsWith(']')) return undefined
  return hostKey(text)
}
