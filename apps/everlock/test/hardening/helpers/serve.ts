// `everlock serve` as a child process (the built dist), on loopback ports chosen at start, with the admin
// console reached through the real OpenSSH client (sshpass supplies the password).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { built, CLI, freePort, sshCommand } from '../../helpers/everlock.js'
import { basic, type Target } from './oci.js'

export const ADMIN = 'admin'
export const ADMIN_PASSWORD = 'admin-pass-1'
export const STORE = 'everlock-oci-local'
/** Why the hardening suites skip, or undefined when the built app is there. */
export const skipReason = built ? undefined : `apps/everlock/dist/cli.js is not built (run pnpm build)`

export interface ServeOptions {
  /** Reuse a data/config directory (restart after a crash). */
  readonly dir?: string
  readonly httpPort?: number
  readonly sshPort?: number
  readonly dataDir?: string
  readonly env?: Record<string, string>
}

export class Everlock {
  private output = ''
  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly dataDir: string,
    readonly httpPort: number,
    readonly sshPort: number,
  ) {
    const keep = (c: Buffer) => {
      this.output = (this.output + c.toString('utf8')).slice(-50_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
  }

  get base(): string {
    return `http://127.0.0.1:${this.httpPort}`
  }

  /** The bootstrap instance `default` (vhost 127.0.0.1), as the given user or anon. */
  target(auth?: string, host = '127.0.0.1'): Target {
    return { base: this.base, host: `${host}:${this.httpPort}`, auth }
  }

  get admin(): Target {
    return this.target(basic(ADMIN, ADMIN_PASSWORD))
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  logs(): string {
    return this.output
  }

  static async start(opts: ServeOptions = {}): Promise<Everlock> {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'everlock-hardening-'))
    const dataDir = opts.dataDir ?? join(dir, 'data')
    mkdirSync(dataDir, { recursive: true })
    mkdirSync(join(dir, 'config'), { recursive: true })
    const httpPort = opts.httpPort ?? (await freePort())
    const sshPort = opts.sshPort ?? (await freePort())
    // prettier-ignore
    const args = [CLI, 'serve',
      '--frontend-http', '--frontend-http-listen-http', `127.0.0.1:${httpPort}`,
      '--backend-admin-ssh', '--frontend-ssh-listen', `127.0.0.1:${sshPort}`,
      '--backend-oci-http', '--backend-oci-http-vhost', '127.0.0.1', '--backend-oci-http-store', STORE,
      '--admin-user', ADMIN, '--admin-password', ADMIN_PASSWORD,
      '--data-dir', dataDir, '--config-dir', join(dir, 'config'), '--metrics-listen', '']
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } })
    const everlock = new Everlock(child, dir, dataDir, httpPort, sshPort)
    await everlock.waitReady()
    return everlock
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`everlock serve exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`)
      const ok = await fetch(`${this.base}/readyz`, { headers: { host: `127.0.0.1:${this.httpPort}` } }).then(
        (r) => r.status === 200,
        () => false,
      )
      if (ok) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`everlock serve not ready after ${timeoutMs} ms:\n${this.output}`)
  }

  /** One admin console command through `ssh … <command>`; returns its output. */
  console(command: string, user = ADMIN, password = ADMIN_PASSWORD): Promise<string> {
    return sshCommand(this.sshPort, command, user, password)
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM')
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL')
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    if (!this.alive) return
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.kill(sig)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }

  /** Same directory and ports, fresh process. */
  restart(): Promise<Everlock> {
    return Everlock.start({ dir: this.dir, dataDir: this.dataDir, httpPort: this.httpPort, sshPort: this.sshPort })
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
