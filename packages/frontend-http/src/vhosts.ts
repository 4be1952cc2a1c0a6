import { parseAccessPath } from '@everlock/auth-grants'
import { HttpFrontendError } from './errors.js'
import { hostKey, vhostName } from './host.js'
import type { VhostEntry } from './types.js'

const LABEL = /^[A-Za-z0-9._-]{1,64}$/

/** The live host → backend instance table; every change applies to the next request. */
export interface VhostTable {
  /** Adds or replaces the entry for `host` (case-insensitive, no port; IPv6 as `::1` or `[::1]`). */
  set(host: string, entry: VhostEntry): void
  /** true if there was an entry. */
  delete(host: string): boolean
  /** Hosts (normalised) with their entries, sorted by host. */
  list(): Array<{ host: string } & VhostEntry>
  /** The entry for a `Host` header value, port ignored. */
  match(hostHeader: string | undefined): VhostEntry | undefined
}

export interface VhostTableOptions {
  /** Called for entries that need the default check, so a table without auth can refuse them. */
  validate?: (host: string, entry: VhostEntry) => void
}

export function createVhostTable(options: VhostTableOptions = {}): VhostTable {
  const table = new Map<string, VhostEntry>()

  function key(host: string): string {
    const name = vhostName(host)
    if (!name) throw new HttpFrontendError('VHOST_INVALID', 'vhost must be a host name or IP address without a port')
    return name
  }

  return {
    set(host, entry) {
      const name = key(host)
      const checked = checkEntry(entry)
      options.validate?.(name, checked)
      table.set(name, checked)
    },
    delete(host) {
      return table.delete(key(host))
    },
    list() {
      return [...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([host, entry]) => ({ host, ...entry }))
    },
    match(hostHeader) {
      const name = hostKey(hostHeader)
      return name === undefined ? undefined : table.get(name)
    },
  }
}

function checkEntry(entry: VhostEntry): VhostEntry {
  const bad = (what: string): never => {
    throw new HttpFrontendError('VHOST_INVALID', `vhost entry: ${what}`)
  }
  if (!entry || typeof entry !== 'object') bad('must be an object')
  if (!LABEL.test(entry.backend)) bad('backend must be 1-64 of [A-Za-z0-9._-]')
  if (!LABEL.test(entry.instance)) bad('instance must be 1-64 of [A-Za-z0-9._-]')
  if (typeof entry.handler !== 'function') bad('handler must be a request listener')
  if (typeof entry.authorizesItself !== 'boolean') bad('authorizesItself must be true or false')
  if (entry.renderError !== undefined && typeof entry.renderError !== 'function') bad('renderError must be a function')
  if (entry.hsts !== undefined && typeof entry.hsts !== 'boolean') bad('hsts must be true or false')
  let accessPath = ''
  try {
    accessPath = parseAccessPath(entry.accessPath).path
  } catch (cause) {
    throw new HttpFrontendError('VHOST_INVALID', 'vhost entry: accessPath must look like http/oci/default', { cause })
  }
  return Object.freeze({ ...entry, accessPath })
}
