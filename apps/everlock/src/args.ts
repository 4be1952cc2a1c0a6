import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { parseListenAddress } from '@everlock/frontend-http'
import { EverlockError } from './errors.js'
import { isRegistryStoreName, normaliseVhost, STORE_NAME_EXPECTED, VHOST_EXPECTED } from './names.js'
import type { ServeOptions } from './serve.js'

export const USAGE = `usage: everlock serve [options]

  --data-dir <dir>                      stores, SSH host key (default ./data)
  --config-dir <dir>                    config/*.toml (default ./config)
  --frontend-http                       enable the HTTP frontend
  --frontend-http-listen-http <addr>    HTTP listen address (default 127.0.0.1:8080, unless only HTTPS is given)
  --frontend-http-listen-https <addr>   HTTPS listen address (certificates: config/certs/, config/tls.toml)
  --metrics-listen <addr>               Prometheus /metrics listener (default 127.0.0.1:9464, '' disables)
  --frontend-http-login-throttle-ms <ms>  delay after a failed HTTP login, doubling per failure (default 100; 0 = none)
  --frontend-http-zero-copy <on|off>    send blob bodies with sendfile(2) where possible (default on)
  --backend-oci-http                    serve the OCI registries of config/oci-http.toml
  --backend-oci-http-vhost <host>       bootstrap instance 'default' on this vhost (if not configured yet)
  --backend-oci-http-store <store>      its store (default everlock-oci-local)
  --backend-admin-ssh                   enable the SSH admin console
  --frontend-ssh-listen <addr>          SSH listen address (default 127.0.0.1:2222)
  --admin-user <name>                   bootstrap admin (Owner on */*/*), created if missing
  --admin-password <password>           its password (or EVERLOCK_ADMIN_PASSWORD)
  -h, --help                            this text
`

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'data-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  'frontend-http': { type: 'boolean' },
  'frontend-http-listen-http': { type: 'string' },
  'frontend-http-listen-https': { type: 'string' },
  'metrics-listen': { type: 'string' },
  'frontend-http-login-throttle-ms': { type: 'string' },
  'frontend-http-zero-copy': { type: 'string' },
  'backend-oci-http': { type: 'boolean' },
  'backend-oci-http-vhost': { type: 'string' },
  'backend-oci-http-store': { type: 'string' },
  'backend-admin-ssh': { type: 'boolean' },
  'frontend-ssh-listen': { type: 'string' },
  'admin-user': { type: 'string' },
  'admin-password': { type: 'string' },
} as const

export type Parsed = { help: true } | { help: false; options: ServeOptions }

/** `serve …` arguments (without the node and script paths) → options. Throws USAGE. */
export function parseServeArgs(argv: readonly string[], env: Record<string, string | undefined> = {}, cwd = process.cwd()): Parsed {
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help') return { help: true }
  if (command !== 'serve') throw new EverlockError('USAGE', command === undefined ? 'missing command: everlock serve …' : `unknown command '${command.slice(0, 40)}'`)
  let values: ReturnType<typeof parse>
  try {
    values = parse(rest)
  } catch (err) {
    throw new EverlockError('USAGE', (err as Error).message.split('\n')[0]!, { cause: err })
  }
  if (values.help) return { help: true }

  const problems: string[] = []
  const vhost = values['backend-oci-http-vhost']
  const store = values['backend-oci-http-store'] ?? 'everlock-oci-local'
  const oci = Boolean(values['backend-oci-http'])
  if (vhost !== undefined && !normaliseVhost(vhost)) problems.push(`--backend-oci-http-vhost: expected ${VHOST_EXPECTED}`)
  if (!isRegistryStoreName(store)) problems.push(`--backend-oci-http-store: expected ${STORE_NAME_EXPECTED}`)
  if (!oci && (vhost !== undefined || values['backend-oci-http-store'] !== undefined)) problems.push('--backend-oci-http-vhost/-store need --backend-oci-http')
  if (oci && !values['frontend-http']) problems.push('--backend-oci-http needs --frontend-http')
  const password = values['admin-password'] ?? env['EVERLOCK_ADMIN_PASSWORD']
  const user = values['admin-user']
  if (user !== undefined && !password) problems.push('--admin-user needs --admin-password (or EVERLOCK_ADMIN_PASSWORD)')
  if (user === undefined && values['admin-password'] !== undefined) problems.push('--admin-password needs --admin-user')
  const throttleText = values['frontend-http-login-throttle-ms']
  const throttleMs = throttleText === undefined ? undefined : Number(throttleText)
  if (throttleText !== undefined && !(/^\d{1,6}$/.test(throttleText) && throttleMs! <= 60_000)) {
    problems.push('--frontend-http-login-throttle-ms: expected a whole number of milliseconds from 0 to 60000')
  }
  if (throttleText !== undefined && !values['frontend-http']) problems.push('--frontend-http-login-throttle-ms needs --frontend-http')
  const zeroCopyText = values['frontend-http-zero-copy']
  if (zeroCopyText !== undefined && zeroCopyText !== 'on' && zeroCopyText !== 'off') problems.push('--frontend-http-zero-copy: expected on or off')
  if (zeroCopyText !== undefined && !values['frontend-http']) problems.push('--frontend-http-zero-copy needs --frontend-http')
  const https = values['frontend-http-listen-https']
  if (https !== undefined && !isListenAddress(https)) problems.push(`--frontend-http-listen-https: expected host:port or [ipv6]:port, got '${https.slice(0, 80)}'`)
  if (https !== undefined && !values['frontend-http']) problems.push('--frontend-http-listen-https needs --frontend-http')
  if (problems.length > 0) throw new EverlockError('USAGE', problems.join('; '))
  // HTTPS alone when only it is given; plain HTTP on its default otherwise
  const plain = values['frontend-http-listen-http'] ?? (https === undefined ? '127.0.0.1:8080' : undefined)

  const options: ServeOptions = {
    dataDir: resolve(cwd, values['data-dir'] ?? 'data'),
    configDir: resolve(cwd, values['config-dir'] ?? 'config'),
    metricsListen: values['metrics-listen'] ?? '127.0.0.1:9464',
    ...(values['frontend-http']
      ? {
          http: {
            ...(plain !== undefined ? { listen: plain } : {}),
            ...(https !== undefined ? { listenHttps: https } : {}),
            ...(throttleMs !== undefined ? { loginThrottleMs: throttleMs } : {}),
            ...(zeroCopyText === 'off' ? { zeroCopy: false } : {}),
          },
        }
      : {}),
    ...(values['backend-admin-ssh'] ? { ssh: { listen: values['frontend-ssh-listen'] ?? '127.0.0.1:2222' } } : {}),
    ...(oci ? { oci: { ...(vhost !== undefined ? { bootstrap: { vhost: normaliseVhost(vhost)!, store } } : {}) } } : {}),
    ...(user !== undefined && password ? { admin: { user, password } } : {}),
  }
  return { help: false, options }
}

function isListenAddress(text: string): boolean {
  try {
    parseListenAddress(text)
    return true
  } catch {
    return false
  }
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values
}
