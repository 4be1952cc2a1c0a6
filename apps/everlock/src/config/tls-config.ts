import { dirname, isAbsolute, join } from 'node:path'
import { normaliseVhost, VHOST_EXPECTED } from '../names.js'
import { describe, isTable, Problems } from './problems.js'
import { parseConfig, readConfigFile } from './toml-file.js'

export const TLS_CONFIG_FILE = 'tls.toml'
/** Certificates from files: `<host>.pem` + `<host>.key` in this folder of the config directory. */
export const CERT_DIR = 'certs'

/** `config/tls.toml`: ACME and what plain HTTP does when HTTPS is on. Every key is optional. */
export interface TlsConfig {
  readonly acme?: {
    /** The ACME directory URL (https). */
    readonly directory: string
    readonly email?: string
    /** Trust roots for the ACME server itself, for test servers such as pebble (absolute path). */
    readonly caFile?: string
    /** Vhosts that get their certificate from ACME. */
    readonly vhosts: readonly string[]
  }
  /** Send browsers that come over plain HTTP to HTTPS (default false). */
  readonly redirectHttp: boolean
}

const EMPTY: TlsConfig = { redirectHttp: false }

export async function loadTlsConfig(file: string): Promise<TlsConfig> {
  const text = await readConfigFile(file)
  return text === undefined ? EMPTY : parseTlsConfig(text, file)
}

/** parse → normalise → validate; every problem at once. */
export function parseTlsConfig(text: string, file: string): TlsConfig {
  return parseConfig(text, file, (doc, problems) => normalise(isTable(doc) ? doc : {}, file, problems))
}

function onlyKeys(table: Record<string, unknown>, at: string, keys: readonly string[], problems: Problems): void {
  for (const key of Object.keys(table)) if (!keys.includes(key)) problems.add(at ? `${at}.${key}` : key, `only ${keys.join(', ')}`)
}

function normalise(doc: Record<string, unknown>, file: string, problems: Problems): TlsConfig {
  onlyKeys(doc, '', ['acme', 'https'], problems)
  let redirectHttp = false
  const https = doc['https']
  if (https !== undefined) {
    if (!isTable(https)) problems.add('https', `a table, got ${describe(https)}`)
    else {
      onlyKeys(https, 'https', ['redirect_http'], problems)
      const v = https['redirect_http']
      if (v !== undefined && typeof v !== 'boolean') problems.add('https.redirect_http', `true or false, got ${describe(v)}`)
      redirectHttp = v === true
    }
  }
  const acme = doc['acme']
  if (acme === undefined) return { redirectHttp }
  if (!isTable(acme)) {
    problems.add('acme', `a table, got ${describe(acme)}`)
    return { redirectHttp }
  }
  onlyKeys(acme, 'acme', ['directory', 'email', 'ca_file', 'vhosts'], problems)
  const directory = acme['directory']
  if (typeof directory !== 'string' || !/^https:\/\/[^\s]+$/.test(directory)) problems.add('acme.directory', `the ACME directory URL (https://…), got ${describe(directory)}`)
  const email = acme['email']
  if (email !== undefined && (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email))) problems.add('acme.email', `an e-mail address, got ${describe(email)}`)
  const caFile = acme['ca_file']
  if (caFile !== undefined && (typeof caFile !== 'string' || caFile === '')) problems.add('acme.ca_file', `a file name, got ${describe(caFile)}`)
  const list = acme['vhosts'] ?? []
  const vhosts: string[] = []
  if (!Array.isArray(list)) problems.add('acme.vhosts', `an array of vhosts, got ${describe(list)}`)
  else
    list.forEach((v, i) => {
      const host = normaliseVhost(v)
      if (!host || host.startsWith('[') || /^[\d.]+$/.test(host)) problems.add(`acme.vhosts[${i}]`, `a DNS name (${VHOST_EXPECTED.replace(/ or IP address/, '')}), got ${describe(v)}`)
      else vhosts.push(host)
    })
  return {
    redirectHttp,
    acme: {
      directory: String(directory),
      vhosts,
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof caFile === 'string' && caFile ? { caFile: isAbsolute(caFile) ? caFile : join(dirname(file), caFile) } : {}),
    },
  }
}
