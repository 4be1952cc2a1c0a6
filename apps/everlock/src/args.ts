import { resolve } from 'node:path'
import { ANON, parseName } from '@everlock/auth-grants'
import { parseListenAddress } from '@everlock/frontend-http'
import { Problems } from './config/problems.js'
import { EverlockError } from './errors.js'
import { parseFlags, type FlagSpec } from './flags.js'
import { normalisePublicUrlValue, PUBLIC_URL_EXPECTED } from './config/instances-config.js'
import { isRegistryStoreName, normaliseVhost, STORE_NAME_EXPECTED, VHOST_EXPECTED } from './names.js'
import type { ServeOptions } from './serve.js'

/** Where a problem of the command line is reported (`ConfigProblem.file`). */
export const COMMAND_LINE = 'command line'
export const PASSWORD_ENV = 'EVERLOCK_ADMIN_PASSWORD'

type Option = FlagSpec & { readonly help: string }

/** Every option of `everlock serve`, in `--help` order. */
export const OPTIONS = {
  'data-dir': { type: 'string', arg: '<dir>', help: 'stores, SSH host key (default ./data; created owner-only)' },
  'config-dir': { type: 'string', arg: '<dir>', help: 'config/*.toml (default ./config)' },
  'frontend-http': { type: 'boolean', help: 'enable the HTTP frontend' },
  'frontend-http-listen-http': { type: 'string', arg: '<addr>', help: 'HTTP listen address (default 127.0.0.1:8080, none when only HTTPS is given)' },
  'frontend-http-listen-https': { type: 'string', arg: '<addr>', help: 'HTTPS listen address (certificates: config/certs/, ACME: config/tls.toml)' },
  'metrics-listen': { type: 'string', arg: '<addr>', help: "Prometheus /metrics listener (default 127.0.0.1:9464, '' disables)" },
  'frontend-http-login-throttle-ms': { type: 'string', arg: '<ms>', help: 'delay after a failed HTTP login, doubling per failure (default 100; 0 = none)' },
  'frontend-http-zero-copy': { type: 'string', arg: '<on|off>', help: 'send blob bodies with sendfile(2) where possible (default on)' },
  'backend-oci-http': { type: 'boolean', help: 'serve the OCI registries of config/oci-http.toml' },
  'backend-oci-http-vhost': { type: 'string', arg: '<host>', help: "bootstrap instance 'default' on this vhost (if not configured yet)" },
  'backend-oci-http-store': { type: 'string', arg: '<store>', help: 'its store (default everlock-oci-local)' },
  'backend-oci-http-max-uploads-per-user': { type: 'string', arg: '<n>', help: 'open upload sessions per user in each registry (default 100)' },
  'backend-image-http': { type: 'boolean', help: 'serve the image libraries of config/image-http.toml' },
  'backend-image-http-vhost': { type: 'string', arg: '<host>', help: "bootstrap image instance 'default' on this vhost (if not configured yet)" },
  'backend-image-http-store': { type: 'string', arg: '<store>', help: 'its store (default everlock-image)' },
  'backend-image-http-public-url': { type: 'string', arg: '<url>', help: 'its public URL (default https://<vhost>)' },
  'backend-admin-ssh': { type: 'boolean', help: 'enable the SSH admin console' },
  'frontend-ssh-listen': { type: 'string', arg: '<addr>', help: 'SSH listen address (default 127.0.0.1:2222)' },
  'backend-ai-ssh': { type: 'boolean', help: 'AI in the console (and image captions with a projector); needs a model' },
  'backend-ai-ssh-model': { type: 'string', arg: '<file.gguf>', help: 'the GGUF language model (loaded once, in the background)' },
  'backend-ai-ssh-mmproj': { type: 'string', arg: '<file.gguf>', help: 'its vision projector: captions for the image libraries' },
  'backend-ai-ssh-threads': { type: 'string', arg: '<n>', help: 'CPU threads for the model (default min(4, cores))' },
  'backend-ai-ssh-context': { type: 'string', arg: '<tokens>', help: 'context size in tokens (default 4096)' },
  'backend-ai-ssh-max-tokens': { type: 'string', arg: '<tokens>', help: 'longest answer to one console line (default 512)' },
  'admin-user': { type: 'string', arg: '<name>', help: 'bootstrap admin (Owner on */*/*), created if missing' },
  'admin-password': { type: 'string', arg: '<password>', help: `its password; prefer ${PASSWORD_ENV}=… in the environment (ps shows flags)` },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies Record<string, Option>

type Name = keyof typeof OPTIONS

/** `--help`: one line per option, the descriptions in one column. */
export const USAGE = ((): string => {
  const rows = Object.entries(OPTIONS).map(([name, o]: [string, Option]) => [`${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`, o.help] as const)
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2
  return `usage: everlock serve [options]\n\n${rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}\n`).join('')}`
})()

/**
 * `promptFor`: the admin user whose password is to be asked for on the terminal (`--admin-user` given, no
 * password, and the caller said it can prompt); `options.admin` is then left out until it is known.
 */
export type Parsed = { help: true } | { help: false; options: ServeOptions; warnings: string[]; promptFor?: string }

const LISTEN_EXPECTED = 'host:port or [ipv6]:port (an IP address or host name, port 0-65535)'

/**
 * `serve …` arguments (without the node and script paths) → options. Nothing is opened or bound: every mistake
 * of the command line is found here and thrown as one USAGE error whose `problems` name each flag.
 */
export function parseServeArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
  { canPrompt = false }: { canPrompt?: boolean } = {},
): Parsed {
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help') return { help: true }
  const problems = new Problems(COMMAND_LINE)
  if (command !== 'serve') {
    problems.add(command === undefined ? '(command)' : 'argument 1', "the command 'serve': everlock serve [options]")
    throw usage(problems)
  }
  const values = parseFlags(rest, OPTIONS, problems)
  if (values.help) return { help: true }
  const str = (name: Name): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined)
  const on = (name: Name): boolean => values[name] === true
  const needs = (name: Name, other: Name, why: string): void => {
    if (values[name] !== undefined && !on(other)) problems.add(`--${name}`, `--${other} as well (${why})`)
  }

  for (const name of ['data-dir', 'config-dir'] as const) if (str(name) === '') problems.add(`--${name}`, 'a directory')
  const listen = (name: Name, fallback: string): string => {
    const text = str(name) ?? fallback
    if (text !== '' || name !== 'metrics-listen') {
      try {
        parseListenAddress(text)
      } catch {
        problems.add(`--${name}`, `${LISTEN_EXPECTED}, got ${JSON.stringify(text.slice(0, 60))}`)
      }
    }
    return text
  }
  const httpsListen = str('frontend-http-listen-https') === undefined ? undefined : listen('frontend-http-listen-https', '')
  // Only HTTPS asked for: no plain listener unless one is named too (ACME HTTP-01 and the redirect need one).
  const httpListen = httpsListen !== undefined && str('frontend-http-listen-http') === undefined ? undefined : listen('frontend-http-listen-http', '127.0.0.1:8080')
  const metricsListen = listen('metrics-listen', '127.0.0.1:9464')
  const sshListen = listen('frontend-ssh-listen', '127.0.0.1:2222')
  // Two listeners on one address: the second could never bind.
  const enabled = [
    ...(on('frontend-http') && httpListen !== undefined ? [['frontend-http-listen-http', httpListen] as const] : []),
    ...(on('frontend-http') && httpsListen !== undefined ? [['frontend-http-listen-https', httpsListen] as const] : []),
    ...(on('frontend-http') && metricsListen !== '' ? [['metrics-listen', metricsListen] as const] : []),
    ...(on('backend-admin-ssh') ? [['frontend-ssh-listen', sshListen] as const] : []),
  ]
  for (const [i, [name, address]] of enabled.entries()) {
    const other = enabled.slice(0, i).find(([, a]) => a === address && !address.endsWith(':0'))
    if (other) problems.add(`--${name}`, `an address of its own (${address} is the address of --${other[0]} too)`)
  }
  for (const name of ['frontend-http-listen-http', 'frontend-http-listen-https', 'metrics-listen', 'frontend-http-login-throttle-ms', 'frontend-http-zero-copy', 'backend-oci-http', 'backend-image-http'] as const) {
    needs(name, 'frontend-http', 'it is part of the HTTP frontend')
  }
  needs('frontend-ssh-listen', 'backend-admin-ssh', 'the console is what listens there')
  needs('backend-ai-ssh', 'backend-admin-ssh', 'the model answers in the SSH console')
  for (const name of ['backend-ai-ssh-model', 'backend-ai-ssh-mmproj', 'backend-ai-ssh-threads', 'backend-ai-ssh-context', 'backend-ai-ssh-max-tokens'] as const) {
    needs(name, 'backend-ai-ssh', 'it configures the AI model')
  }
  const aiModel = str('backend-ai-ssh-model')
  if (on('backend-ai-ssh') && aiModel === undefined) problems.add('--backend-ai-ssh', '--backend-ai-ssh-model <file.gguf> as well (the model to load)')
  for (const name of ['backend-ai-ssh-model', 'backend-ai-ssh-mmproj'] as const) if (str(name) === '') problems.add(`--${name}`, 'a .gguf file')
  const aiNumber = (name: Name, min: number, max: number): number | undefined => {
    const text = str(name)
    if (text === undefined) return undefined
    if (!/^\d{1,7}$/.test(text) || Number(text) < min || Number(text) > max) problems.add(`--${name}`, `a whole number from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 20))}`)
    return Number(text)
  }
  const aiThreads = aiNumber('backend-ai-ssh-threads', 1, 256)
  const aiContext = aiNumber('backend-ai-ssh-context', 256, 1_048_576)
  const aiMaxTokens = aiNumber('backend-ai-ssh-max-tokens', 1, 65_536)
  needs('backend-oci-http-vhost', 'backend-oci-http', 'it creates a registry')
  needs('backend-oci-http-store', 'backend-oci-http', 'it is the store of a registry')
  needs('backend-oci-http-max-uploads-per-user', 'backend-oci-http', 'it limits the registries')
  needs('backend-image-http-vhost', 'backend-image-http', 'it creates an image library')
  needs('backend-image-http-store', 'backend-image-http', 'it is the store of an image library')
  needs('backend-image-http-public-url', 'backend-image-http', 'it is the URL of an image library')

  const vhost = str('backend-oci-http-vhost')
  if (vhost !== undefined && !normaliseVhost(vhost)) problems.add('--backend-oci-http-vhost', VHOST_EXPECTED)
  const store = str('backend-oci-http-store') ?? 'everlock-oci-local'
  if (!isRegistryStoreName(store)) problems.add('--backend-oci-http-store', STORE_NAME_EXPECTED)

  const imageVhost = str('backend-image-http-vhost')
  if (imageVhost !== undefined && !normaliseVhost(imageVhost)) problems.add('--backend-image-http-vhost', VHOST_EXPECTED)
  const imageStore = str('backend-image-http-store') ?? 'everlock-image'
  if (!isRegistryStoreName(imageStore)) problems.add('--backend-image-http-store', STORE_NAME_EXPECTED)
  const publicUrlText = str('backend-image-http-public-url')
  const publicUrl = publicUrlText === undefined ? undefined : normalisePublicUrlValue(publicUrlText)
  if (publicUrlText !== undefined && publicUrl === undefined) problems.add('--backend-image-http-public-url', PUBLIC_URL_EXPECTED)
  if (publicUrlText !== undefined && imageVhost === undefined) problems.add('--backend-image-http-public-url', '--backend-image-http-vhost as well (it is the URL of that instance)')
  // Both bootstrap instances at once: a vhost and a store belong to one instance of one kind.
  if (vhost !== undefined && imageVhost !== undefined) {
    if (normaliseVhost(vhost) === normaliseVhost(imageVhost)) problems.add('--backend-image-http-vhost', 'a vhost of its own (it is the --backend-oci-http-vhost too)')
    if (store === imageStore) problems.add('--backend-image-http-store', 'a store of its own (it is the --backend-oci-http-store too)')
  }

  const maxUploadsText = str('backend-oci-http-max-uploads-per-user')
  if (maxUploadsText !== undefined && !/^[1-9]\d{0,5}$/.test(maxUploadsText)) {
    problems.add('--backend-oci-http-max-uploads-per-user', `a whole number from 1 to 999999, got ${JSON.stringify(maxUploadsText.slice(0, 20))}`)
  }

  const throttleText = str('frontend-http-login-throttle-ms')
  const throttleMs = throttleText === undefined ? undefined : Number(throttleText)
  if (throttleText !== undefined && !(/^\d{1,6}$/.test(throttleText) && throttleMs! <= 60_000)) {
    problems.add('--frontend-http-login-throttle-ms', `a whole number of milliseconds from 0 to 60000, got ${JSON.stringify(throttleText.slice(0, 20))}`)
  }
  const zeroCopy = str('frontend-http-zero-copy')
  if (zeroCopy !== undefined && zeroCopy !== 'on' && zeroCopy !== 'off') problems.add('--frontend-http-zero-copy', 'on or off')

  const user = str('admin-user')
  const flagPassword = str('admin-password')
  const password = flagPassword ?? env[PASSWORD_ENV]
  if (user !== undefined) {
    try {
      if (parseName(user) === ANON) problems.add('--admin-user', `a user other than the built-in '${ANON}'`)
    } catch {
      problems.add('--admin-user', 'a user name of 1-64 of a-z 0-9 . _ - starting with a letter or digit')
    }
    if (flagPassword === '') problems.add('--admin-password', 'a password that is not empty')
    else if (!password && !canPrompt) problems.add('--admin-user', `its password: ${PASSWORD_ENV}=… in the environment (or --admin-password, or typed at a terminal)`)
  } else if (flagPassword !== undefined) {
    problems.add('--admin-password', '--admin-user as well (the user whose password it is)')
  }
  if (!problems.empty) throw usage(problems)

  const options: ServeOptions = {
    dataDir: resolve(cwd, str('data-dir') ?? 'data'),
    configDir: resolve(cwd, str('config-dir') ?? 'config'),
    metricsListen,
    ...(on('frontend-http')
      ? {
          http: {
            ...(httpListen !== undefined ? { listen: httpListen } : {}),
            ...(httpsListen !== undefined ? { listenHttps: httpsListen } : {}),
            ...(throttleMs !== undefined ? { loginThrottleMs: throttleMs } : {}),
            ...(zeroCopy === 'off' ? { zeroCopy: false } : {}),
          },
        }
      : {}),
    ...(on('backend-admin-ssh') ? { ssh: { listen: sshListen } } : {}),
    ...(on('backend-ai-ssh') && aiModel
      ? {
          ai: {
            modelPath: resolve(cwd, aiModel),
            ...(str('backend-ai-ssh-mmproj') ? { mmprojPath: resolve(cwd, str('backend-ai-ssh-mmproj')!) } : {}),
            ...(aiThreads !== undefined ? { threads: aiThreads } : {}),
            ...(aiContext !== undefined ? { contextSize: aiContext } : {}),
            ...(aiMaxTokens !== undefined ? { maxTokens: aiMaxTokens } : {}),
          },
        }
      : {}),
    ...(on('backend-oci-http')
      ? {
          oci: {
            ...(vhost !== undefined ? { bootstrap: { vhost: normaliseVhost(vhost)!, store } } : {}),
            ...(maxUploadsText !== undefined ? { maxUploadsPerUser: Number(maxUploadsText) } : {}),
          },
        }
      : {}),
    ...(on('backend-image-http')
      ? { image: { ...(imageVhost !== undefined ? { bootstrap: { vhost: normaliseVhost(imageVhost)!, store: imageStore, ...(publicUrl ? { publicUrl } : {}) } } : {}) } }
      : {}),
    ...(user !== undefined && password ? { admin: { user, password } } : {}),
  }
  const warnings = flagPassword === undefined ? [] : [`--admin-password on the command line can be read by other users of this machine (ps); prefer ${PASSWORD_ENV}=… in the environment`]
  return { help: false, options, warnings, ...(user !== undefined && !password ? { promptFor: user } : {}) }
}

function usage(problems: Problems): EverlockError {
  const n = problems.list.length
  return new EverlockError('USAGE', `bad command line (${n} problem${n === 1 ? '' : 's'}): ${problems.list.map((p) => `${p.key}: expected ${p.expected}`).join('; ')}`, {
    problems: problems.list,
  })
}
