import { readFile } from 'node:fs/promises'
import { parse, TomlError } from 'smol-toml'
import { EverlockError } from '../errors.js'
import {
  defaultStoreFor,
  INSTANCE_NAME_EXPECTED,
  isInstanceName,
  isRegistryStoreName,
  normaliseVhost,
  STORE_NAME_EXPECTED,
  VHOST_EXPECTED,
} from '../names.js'
import { describe, isTable, Problems } from './problems.js'

/** One OCI registry instance as configured. */
export interface OciInstanceConfig {
  readonly name: string
  readonly store: string
  readonly vhosts: readonly string[]
}

/** Reads `config/oci-http.toml`; a missing file is an empty configuration. Throws CONFIG_INVALID listing every problem. */
export async function loadOciConfig(file: string): Promise<OciInstanceConfig[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new EverlockError('CONFIG_INVALID', `cannot read ${file}`, {
      cause: err,
      problems: [{ file, key: '(file)', expected: `a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }],
    })
  }
  return parseOciConfig(text, file)
}

/** parse → normalise → validate; every problem is reported at once. */
export function parseOciConfig(text: string, file: string): OciInstanceConfig[] {
  const problems = new Problems(file)
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    problems.add(`(syntax, line ${err.line} column ${err.column})`, `valid TOML: ${err.message.split('\n')[0]}`)
    throw invalid(problems)
  }
  const instances = normalise(doc, problems)
  validate(instances, problems)
  if (!problems.empty) throw invalid(problems)
  return instances
}

function invalid(problems: Problems): EverlockError {
  const n = problems.list.length
  return new EverlockError('CONFIG_INVALID', `${problems.file}: ${n} problem${n === 1 ? '' : 's'}`, { problems: problems.list })
}

/** Shape checks and defaults: each `[instances.<name>]` becomes `{ name, store, vhosts }`. */
function normalise(doc: unknown, problems: Problems): OciInstanceConfig[] {
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
  const out: OciInstanceConfig[] = []
  for (const [name, body] of Object.entries(table)) {
    const at = `instances.${name}`
    if (!isInstanceName(name)) problems.add(at, INSTANCE_NAME_EXPECTED)
    if (!isTable(body)) {
      problems.add(at, `a table with store = "…" and vhosts = ["…"], got ${describe(body)}`)
      continue
    }
    for (const key of Object.keys(body)) {
      if (key !== 'store' && key !== 'vhosts') problems.add(`${at}.${key}`, 'only the keys store and vhosts')
    }
    out.push({ name, store: normaliseStore(name, body['store'], `${at}.store`, problems), vhosts: normaliseVhosts(body['vhosts'], `${at}.vhosts`, problems) })
  }
  return out
}

function normaliseStore(name: string, value: unknown, key: string, problems: Problems): string {
  if (value === undefined) return defaultStoreFor(name)
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
export function validate(instances: readonly OciInstanceConfig[], problems: Problems): void {
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
