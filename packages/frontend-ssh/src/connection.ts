import { authenticate, type AuthState } from './authenticate.js'
import { ptyShell } from './pty-shell.js'
import { execCommand, plainShell, type ChannelLike, type ShellContext } from './shells.js'
import type { ClientInfo, Connection } from './ssh2.js'
import type { FailureThrottle } from './throttle.js'
import type { ConsoleInterpreter, SshAuth, SshLog } from './types.js'

/** Channels (shell/exec sessions) one connection may hold open at once. */
export const MAX_SESSIONS_PER_CONNECTION = 8

export interface ConnectionDeps {
  readonly auth: SshAuth
  readonly interpreter: ConsoleInterpreter
  readonly throttle: FailureThrottle
  readonly log: SshLog
  readonly banner: string
  readonly prompt: string
  readonly idleMs: number
  /** Called once the client has logged in. */
  loggedIn(): void
  /** Cut the TCP connection (when a polite end is not enough). */
  destroy(): void
}

/** One SSH client: login, the idle timer, and its shell/exec sessions. */
export function serveConnection(client: Connection, info: ClientInfo, deps: ConnectionDeps): void {
  const { log } = deps
  const address = info.ip
  const state: AuthState = { failures: 0 }
  let busy = 0
  let timer: NodeJS.Timeout | undefined
  const hangUp = (): void => {
    client.end()
    setTimeout(deps.destroy, 2000).unref()
  }
  const arm = (): void => {
    if (!deps.idleMs) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (busy > 0) return arm()
      log('ssh idle timeout', { user: state.user, address })
      hangUp()
    }, deps.idleMs)
    timer.unref()
  }
  arm()
  client.on('error', (err) => log('ssh connection error', { address, err: err.message }))
  // the TCP connection is gone: running commands (a model's answer) stop
  const gone = new AbortController()
  client.on('close', () => {
    clearTimeout(timer)
    gone.abort()
  })
  client.on('authentication', (ctx) => {
    arm()
    authenticate(ctx, { auth: deps.auth, throttle: deps.throttle, address, log, state, close: hangUp }).catch((err) => {
      log('ssh authentication error', { address, err: (err as Error).message })
      try {
        ctx.reject()
      } catch {
        // already answered
      }
    })
  })
  client.on('ready', () => {
    deps.loggedIn()
    const user = state.user!
    log('ssh login', { user, address })
    let sessions = 0
    client.on('session', (acceptSession, rejectSession) => {
      if (sessions >= MAX_SESSIONS_PER_CONNECTION) return rejectSession()
      sessions++
      const session = acceptSession()
      session.once('close', () => sessions--)
      let pty = false
      const start = (channel: ChannelLike, run: (ctx: ShellContext) => Promise<void>): void => {
        channel.on('error', (err: Error) => log('ssh channel error', { user, err: err.message }))
        const ctx: ShellContext = {
          channel,
          console: deps.interpreter.session({ user }),
          log,
          gone: gone.signal,
          touch: arm,
          working(running) {
            busy += running ? 1 : -1
            arm()
          },
        }
        run(ctx).catch((err) => {
          log('ssh session error', { user, err: (err as Error).message })
          channel.destroy()
        })
      }
      session.on('pty', (accept) => {
        pty = true
        accept?.()
      })
      session.on('window-change', (accept) => accept?.())
      session.on('env', (accept) => accept?.())
      session.on('shell', (accept) => {
        start(accept() as unknown as ChannelLike, (ctx) => (pty ? ptyShell(ctx, deps.banner, deps.prompt) : plainShell(ctx)))
      })
      session.on('exec', (accept, _reject, req) => {
        start(accept() as unknown as ChannelLike, (ctx) => execCommand(ctx, req.command, pty))
      })
      session.on('subsystem', (_accept, reject) => reject?.())
    })
  })
}
