import {
  INSTANCE_NAME_EXPECTED,
  isInstanceName,
  isRegistryStoreName,
  normaliseVhost,
  STORE_NAME_EXPECTED,
  VHOST_EXPECTED,
} from '../names.js'
import { OCI_KIND, type InstanceKind } from './kinds.js'
import { describe, isTable, Problems } from './problems.js'
import { parseConfig, readConfigFile } from './toml-file.js'

/** One instance of a vhosted backend (an OCI registry, an image library) as configured. */
export interface InstanceConfig {
  readonly name: string
  readonly store: string
  readonly vhosts: readonly string[]
  /** Image libraries: the URL they advertise; `https://<first vhost>` when not set. */
  readonly publicUrl?: string
}

/** @deprecated name kept for embedders: the same shape. */
export type OciInstanceConfig = InstanceConfig

/** Reads `config/oci-http.toml`. */
export function loadOciConfig(file: string): Promise<InstanceConfig[]> {
  return loadInstancesConfig(file, OCI_KIND)
}

/** parse → normalise → validate of `config/oci-http.toml`. */
export function parseOciConfig(text: string, file: string): InstanceConfig[] {
  return parseInstancesConfig(text, file, OCI_KIND)
}

/** Reads `config/<kind>-http.toml`; a missing file is an empty configuration. Throws CONFIG_INVALID listing every problem. */
export async function loadInstancesConfig(file: string, kind: InstanceKind): Promise<InstanceConfig[]> {
  const text = await readConfigFile(file)
  return text === undefined ? [] : parseInstancesConfig(text, file, kind)
}

/** parse → normalise → validate; every problem is reported at once. */
export function parseInstancesConfig(text: string, file: string, kind: InstanceKind): InstanceConfig[] {
  return parseConfig(text, file, (doc, problems) => {
    const instances = normalise(doc, kind, problems)
    validate(instances, problems)
    return instances
  })
}

/** Shape checks and defaults: each `[instances.<name>]` becomes `{ name, store, vhosts, publicUrl? }`. */
function normalise(doc: unknown, kind: InstanceKind, problems: Problems): InstanceConfig[] {
  if (!isTable(doc)) return []
  for (const key of Object.keys(doc)) {
    if (key !== 'instances') problems.add(key, 'only the table [instances.<name>] at the top level')
  }
  const table = doc['instances']
  if (table === undefined) return []
  if (!isTable(table)) {
    problems.add('instances', `a table of instances ([instances.<name>]), got ${describe(table)}`)
    return []
  }
  const keys = kind.publicUrl ? ['store', 'vhosts', 'public_url'] : ['store', 'vhosts']
  const out: InstanceConfig[] = []
  for (const [name, body] of Object.entries(table)) {
    const at = `instances.${name}`
    if (!isInstanceName(name)) problems.add(at, INSTANCE_NAME_EXPECTED)
    if (!isTable(body)) {
      problems.add(at, `a table with store = "…" and vhosts = ["…"], got ${describe(body)}`)
      continue
    }
    for (const key of Object.keys(body)) {
      if (!keys.includes(key)) problems.add(`${at}.${key}`, `only the keys ${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}`)
    }
    const publicUrl = kind.publicUrl ? normalisePublicUrl(body['public_url'], `${at}.public_url`, problems) : undefined
    out.push({
      name,
      store: normaliseStore(kind.defaultStore(name), body['store'], `${at}.store`, problems),
      vhosts: normaliseVhosts(body['vhosts'], `${at}.vhosts`, problems),
      ...(publicUrl !== undefined ? { publicUrl } : {}),
    })
  }
  return out
}

export const PUBLIC_URL_EXPECTED = 'an http:// or https:// URL with a host and no query, e.g. "https://photos.example.net"'

/** An absolute http(s) URL without query or fragment, without a trailing slash; undefined if invalid. */
export function normalisePublicUrlValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.search || url.hash || url.username || url.password) return undefined
  return url.href.replace(/\/+$/, '')
}

function normalisePublicUrl(value: unknown, key: string, problems: Problems): string | undefined {
  if (value === undefined) return undefined
  const url = normalisePublicUrlValue(value)
  if (url === undefined) problems.add(key, `${PUBLIC_URL_EXPECTED}, got ${describe(value)}`)
  return url
}

function normaliseStore(fallback: string, value: unknown, key: string, problems: Problems): string {
  if (value === undefined) return fallback
  if (!isRegistryStoreName(value)) problems.add(key, `${STORE_NAME_EXPECTED}, got ${describe(value)}`)
  return String(value)
}

function normaliseVhosts(value: unknown, key: string, problems: Problems): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(key, `a non-empty array of vhosts (${VHOST_EXPECTED}), got ${describe(value)}`)
    return []
  }
  return list.map((item, i) => {
    const host = normaliseVhost(item)
    if (!host) problems.add(Array.isArray(value) ? `${key}[${i}]` : key, `${VHOST_EXPECTED}, got ${describe(item)}`)
    return host ?? String(item)
  })
}

/** Rules across instances: a vhost and a store belong to one instance only. */
export function validate(instances: readonly InstanceConfig[], problems: Problems): void {
  const hostOwner = new Map<string, string>()
  const storeOwner = new Map<string, string>()
  for (const inst of instances) {
    inst.vhosts.forEach((host, i) => {
      const owner = hostOwner.get(host)
      if (owner !== undefined) {
        const where = owner === inst.name ? 'listed once' : `used by one instance only (also in instances.${owner})`
        problems.add(`instances.${inst.name}.vhosts[${i}]`, `vhost "${host}" ${where}`)
      } else hostOwner.set(host, inst.name)
    })
    const owner = storeOwner.get(inst.store)
    if (owner !== undefined) problems.add(`instances.${inst.name}.store`, `a store of its own ("${inst.store}" is also used by instances.${owner})`)
    else storeOwner.set(inst.store, inst.name)
  }
}
