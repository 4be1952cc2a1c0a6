import { describe, isTable, Problems } from './problems.js'
import { parseConfig, readConfigFile } from './toml-file.js'

/** An S3-compatible bucket that stores can keep their bytes in. Credentials come from the AWS SDK's chain. */
export interface S3TargetConfig {
  readonly name: string
  /** Omitted for AWS (the SDK picks the endpoint from the region). */
  readonly endpoint?: string
  readonly region?: string
  readonly bucket: string
  /** Each store's objects go under `<prefix><store>/`. */
  readonly prefix: string
  readonly pathStyle?: boolean
  /** A profile of the shared AWS config/credentials files. */
  readonly profile?: string
  /**
   * OCI blob GETs and library original GETs of stores on this target answer 307 to a presigned URL valid this
   * many seconds (`redirect_gets = true`, `redirect_ttl_seconds`, default 300); absent: bytes go through Everlock.
   */
  readonly redirectTtlSeconds?: number
}

export interface StorageConfig {
  readonly targets: readonly S3TargetConfig[]
  /** The target of every store not listed in `stores`: a target name, or `local` (the data directory). */
  readonly defaultTarget: string
  /** Store name → target name or `local`. */
  readonly stores: Readonly<Record<string, string>>
}

export const LOCAL = 'local'
const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/
const STORE = /^[a-z0-9][a-z0-9._-]{0,63}$/
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const TARGET_KEYS = ['endpoint', 'region', 'bucket', 'prefix', 'path_style', 'profile', 'redirect_gets', 'redirect_ttl_seconds']
const DEFAULT_REDIRECT_TTL_S = 300
const MAX_REDIRECT_TTL_S = 7 * 24 * 3600

/** Reads `config/storage.toml`; a missing file keeps every store on the local disk. Throws CONFIG_INVALID listing every problem. */
export async function loadStorageConfig(file: string): Promise<StorageConfig> {
  const text = await readConfigFile(file)
  return text === undefined ? { targets: [], defaultTarget: LOCAL, stores: {} } : parseStorageConfig(text, file)
}

/** parse → normalise → validate; every problem is reported at once. */
export function parseStorageConfig(text: string, file: string): StorageConfig {
  return parseConfig(text, file, (doc, problems) => normalise(isTable(doc) ? doc : {}, problems))
}

function normalise(doc: Record<string, unknown>, problems: Problems): StorageConfig {
  for (const key of Object.keys(doc)) {
    if (key !== 's3' && key !== 'stores') problems.add(key, 'only the tables [s3.<name>] and [stores] at the top level')
  }
  const targets = normaliseTargets(doc['s3'], problems)
  const known = new Set([LOCAL, ...targets.map((t) => t.name)])
  const targetExpected = `"${LOCAL}" or the name of an [s3.<name>] table (${[...known].map((k) => `"${k}"`).join(', ')})`
  let defaultTarget = LOCAL
  const stores: Record<string, string> = {}
  const table = doc['stores']
  if (table !== undefined && !isTable(table)) problems.add('stores', `a table of store = "target" ("*" for every store), got ${describe(table)}`)
  for (const [store, value] of Object.entries(isTable(table) ? table : {})) {
    const key = `stores.${store.includes('.') ? JSON.stringify(store) : store}`
    if (store !== '*' && !STORE.test(store)) problems.add(key, 'a store name of a-z, 0-9, ".", "_", "-" (max 64), or "*" for every store')
    if (typeof value !== 'string' || !known.has(value)) {
      problems.add(key, `${targetExpected}, got ${describe(value)}`)
      continue
    }
    if (store === '*') defaultTarget = value
    else stores[store] = value
  }
  return { targets, defaultTarget, stores }
}

function normaliseTargets(value: unknown, problems: Problems): S3TargetConfig[] {
  if (value === undefined) return []
  if (!isTable(value)) {
    problems.add('s3', `tables [s3.<name>] with bucket = "…", got ${describe(value)}`)
    return []
  }
  const out: S3TargetConfig[] = []
  for (const [name, body] of Object.entries(value)) {
    const at = `s3.${name}`
    if (!TARGET_NAME.test(name) || name === LOCAL) problems.add(at, `a target name of a-z, 0-9, "_", "-" (max 63), not "${LOCAL}"`)
    if (!isTable(body)) {
      problems.add(at, `a table with bucket = "…" (and endpoint, region, prefix, path_style, profile), got ${describe(body)}`)
      continue
    }
    for (const key of Object.keys(body)) if (!TARGET_KEYS.includes(key)) problems.add(`${at}.${key}`, `only the keys ${TARGET_KEYS.join(', ')}`)
    const text = (key: string, check: (s: string) => boolean, expected: string): string | undefined => {
      const v = body[key]
      if (v === undefined) return undefined
      if (typeof v !== 'string' || !check(v)) problems.add(`${at}.${key}`, `${expected}, got ${describe(v)}`)
      return typeof v === 'string' ? v : undefined
    }
    const endpoint = text('endpoint', isHttpUrl, 'an http:// or https:// URL without credentials, e.g. "http://127.0.0.1:9000"')
    const region = text('region', (s) => /^[a-z0-9-]{1,64}$/i.test(s), 'a region name, e.g. "us-east-1"')
    const bucket = text('bucket', (s) => BUCKET.test(s), 'a bucket name (3–63 of a-z, 0-9, ".", "-")')
    if (body['bucket'] === undefined) problems.add(`${at}.bucket`, 'a bucket name (3–63 of a-z, 0-9, ".", "-")')
    const prefix = text('prefix', (s) => s === '' || /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/.test(s), 'a key prefix such as "everlock/" (no leading "/", no empty, "." or ".." segments)') ?? ''
    const profile = text('profile', (s) => /^[\w.-]{1,64}$/.test(s), 'a profile name of the shared AWS files')
    const pathStyle = body['path_style']
    if (pathStyle !== undefined && typeof pathStyle !== 'boolean') problems.add(`${at}.path_style`, `true or false, got ${describe(pathStyle)}`)
    const redirectTtl = normaliseRedirect(body, at, problems)
    out.push({
      name,
      bucket: bucket ?? '',
      prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(typeof pathStyle === 'boolean' ? { pathStyle } : {}),
      ...(profile !== undefined ? { profile } : {}),
      ...(redirectTtl !== undefined ? { redirectTtlSeconds: redirectTtl } : {}),
    })
  }
  return out
}

/** `redirect_gets` (bool) and `redirect_ttl_seconds` (1 s – 7 days, only with redirects on): the lifetime, or undefined. */
function normaliseRedirect(body: Record<string, unknown>, at: string, problems: Problems): number | undefined {
  const on = body['redirect_gets']
  const ttl = body['redirect_ttl_seconds']
  if (on !== undefined && typeof on !== 'boolean') problems.add(`${at}.redirect_gets`, `true or false, got ${describe(on)}`)
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_REDIRECT_TTL_S)) {
    problems.add(`${at}.redirect_ttl_seconds`, `a whole number of seconds from 1 to ${MAX_REDIRECT_TTL_S} (7 days, the longest a presigned URL lasts), got ${describe(ttl)}`)
  } else if (ttl !== undefined && on !== true) {
    problems.add(`${at}.redirect_ttl_seconds`, 'only with redirect_gets = true')
  }
  return on === true ? (typeof ttl === 'number' ? ttl : DEFAULT_REDIRECT_TTL_S) : undefined
}

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s)
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash
  } catch {
    return false
  }
}

/** The S3 target a store keeps its bytes in, or undefined for the local disk. */
export function targetOf(config: StorageConfig, store: string): S3TargetConfig | undefined {
  const name = config.stores[store] ?? config.defaultTarget
  return config.targets.find((t) => t.name === name)
}
