import { isIP } from 'node:net'

const INSTANCE = /^[a-z0-9][a-z0-9_-]{0,62}$/
const STORE = /^[a-z0-9][a-z0-9._-]{0,63}$/
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/

/** The store that holds users and grants; no registry may use it. */
export const SYSTEM_STORE = 'everlock-system'

export const INSTANCE_NAME_EXPECTED = 'an instance name of a-z, 0-9, "_", "-" (starting with a letter or digit, max 63)'
export const STORE_NAME_EXPECTED = `a store name of a-z, 0-9, ".", "_", "-" (max 64), not '${SYSTEM_STORE}'`
export const VHOST_EXPECTED = 'a host name or IP address without a port (e.g. "localhost", "reg2.localhost", "127.0.0.1")'

export function isInstanceName(name: unknown): name is string {
  return typeof name === 'string' && INSTANCE.test(name)
}

export function isRegistryStoreName(name: unknown): name is string {
  return typeof name === 'string' && STORE.test(name) && name !== SYSTEM_STORE
}

/** The store an OCI instance gets when none is named (each kind has its own: `InstanceKind.defaultStore`). */
export function defaultStoreFor(instance: string): string {
  return `everlock-oci-${instance}`
}

/** A vhost as the vhost table keys it (lower case, no trailing dot, IPv6 in brackets), or undefined if invalid. */
export function normaliseVhost(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined
  let host = input.trim().toLowerCase()
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (isIP(host) === 6) return `[${host}]`
  if (isIP(host) === 4) return host
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host.length === 0 || host.length > 253) return undefined
  return host.split('.').every((label) => LABEL.test(label)) ? host : undefined
}
