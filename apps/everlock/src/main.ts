import { parseServeArgs, PASSWORD_ENV, USAGE } from './args.js'
import { formatProblem, isEverlockError, type EverlockError } from './errors.js'
import { consoleLog } from './log.js'
import { promptHidden, type Terminal } from './prompt.js'
import { unavailable, type Listener } from './preflight.js'
import { serve, type ServeOptions } from './serve.js'

/** A second stop signal within this time is the first one delivered twice. */
const REPEAT_MS = 1000

/**
 * The CLI: parse, serve until SIGTERM/SIGINT, shut down cleanly. Returns the exit code
 * (0 done, 1 could not start, 2 bad command line, 130 cut short: a second signal, or Ctrl-C at the password
 * prompt). The only place errors become exit codes.
 */
export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  /** A signal that came before `main` ran (the CLI catches them while it loads). */
  earlySignal: () => NodeJS.Signals | undefined = () => undefined,
  /** The terminal to ask for a missing admin password on, if there is one (the CLI: stdin and stderr TTYs). */
  terminal?: () => Terminal | undefined,
): Promise<number> {
  const log = consoleLog()
  let parsed: ReturnType<typeof parseServeArgs>
  const tty = terminal?.()
  try {
    parsed = parseServeArgs(argv, env, process.cwd(), { canPrompt: tty !== undefined })
  } catch (err) {
    if (!isEverlockError(err, 'USAGE')) throw err
    process.stderr.write(usageFailure(err))
    return 2
  }
  // The password is not left in the environment of anything this process may start.
  if (env === process.env) delete process.env[PASSWORD_ENV]
  if (parsed.help) {
    process.stdout.write(USAGE)
    return 0
  }
  for (const warning of parsed.warnings) log.warn(warning)
  let options = parsed.options
  if (parsed.promptFor !== undefined && tty) {
    const password = await promptHidden(`password for the admin user ${parsed.promptFor}: `, tty)
    if (password === undefined) return 130
    if (password === '') {
      process.stderr.write(`everlock: no password typed for --admin-user ${parsed.promptFor}\n`)
      return 2
    }
    options = { ...options, admin: { user: parsed.promptFor, password } }
  }

  // An address that cannot be listened on is found before the data directory, users or listeners are touched.
  const cannotListen = await unavailable(listeners(options))
  if (cannotListen.length > 0) {
    process.stderr.write(`everlock: cannot start, cannot listen on:\n${cannotListen.map((l) => `  ${l}\n`).join('')}`)
    return 1
  }

  // Signals are handled from the start: one that arrives while starting up stops the server once it is up.
  let signalled: NodeJS.Signals | undefined = earlySignal()
  let onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal
  }
  const handler = (signal: NodeJS.Signals): void => onSignal(signal)
  process.on('SIGTERM', handler)
  process.on('SIGINT', handler)

  let running: Awaited<ReturnType<typeof serve>>
  try {
    running = await serve({ ...options, log })
  } catch (err) {
    process.stderr.write(startFailure(err))
    return 1
  }

  return new Promise<number>((resolve) => {
    let stoppingAt: number | undefined
    onSignal = (signal) => {
      if (stoppingAt !== undefined) {
        // Ctrl-C reaches the whole process group, and a parent (pnpm) may pass the same signal on as well: one
        // that follows within a moment is that copy, not a person asking a second time.
        if (performance.now() - stoppingAt < REPEAT_MS) return
        log.warn(`${signal} again: exiting without waiting`)
        resolve(130)
        return
      }
      stoppingAt = performance.now()
      log.info(`${signal}: shutting down (finishing in-flight requests; signal again to exit at once)`)
      running.close().then(
        () => {
          log.info('stopped')
          resolve(0)
        },
        (err: unknown) => {
          log.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) })
          resolve(1)
        },
      )
    }
    signalled ??= earlySignal()
    if (signalled) onSignal(signalled)
    // SIGHUP: re-read config/oci-http.toml; a bad file is reported and the running set stays as it is.
    process.on('SIGHUP', () => {
      running.reload().catch((err: unknown) => {
        if (isEverlockError(err, 'CONFIG_INVALID')) {
          log.error(`reload refused, ${err.problems.length} problem(s); still serving the previous instances`)
          for (const p of err.problems) log.error(formatProblem(p))
        } else log.error('reload failed', { error: err instanceof Error ? err.message : String(err) })
      })
    })
  })
}

/** The addresses `serve` will listen on, with their flags. */
function listeners(options: ServeOptions): Listener[] {
  return [
    ...(options.http?.listen !== undefined ? [{ flag: '--frontend-http-listen-http', address: options.http.listen }] : []),
    ...(options.http?.listenHttps !== undefined ? [{ flag: '--frontend-http-listen-https', address: options.http.listenHttps }] : []),
    ...(options.http && options.metricsListen !== '' ? [{ flag: '--metrics-listen', address: options.metricsListen }] : []),
    ...(options.ssh ? [{ flag: '--frontend-ssh-listen', address: options.ssh.listen }] : []),
  ]
}

/** A bad command line: each problem on a line of its own, named by its flag. */
function usageFailure(err: EverlockError): string {
  const lines = err.problems.length > 0 ? err.problems.map((p) => `  ${p.key}: expected ${p.expected}\n`) : [`  ${err.message}\n`]
  const n = lines.length
  return `everlock: bad command line (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('')}Run 'everlock serve --help' for the options.\n`
}

/** What to print when start-up fails: every config problem, or one line — never a stack trace. */
function startFailure(err: unknown): string {
  if (isEverlockError(err, 'CONFIG_INVALID')) {
    return `everlock: invalid configuration (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}):\n` + err.problems.map((p) => `  ${formatProblem(p)}\n`).join('')
  }
  const e = err as { message?: unknown; code?: unknown; cause?: { message?: unknown } }
  const code = typeof e?.code === 'string' ? ` [${e.code}]` : ''
  const cause = typeof e?.cause?.message === 'string' ? `: ${e.cause.message}` : ''
  return `everlock: cannot start${code}: ${String(e?.message ?? err)}${cause}\n`
}
