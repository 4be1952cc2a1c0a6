// `everlock serve` as a real child process (the built dist/cli.js) on loopback ports picked by listening on 0.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll } from 'vitest'

const run = promisify(execFile)
export const CLI = resolve(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)))
export const built = existsSync(CLI)

/** Ports this process has handed out: the kernel may give a just-closed port back to the next listen(0), and two
 * "free" ports that are equal make everlock refuse its command line. */
const handedOut = new Set<number>()

/** A loopback port free right now and not handed out before in this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    await new Promise<void>((r) => server.close(() => r()))
    if (!handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
}

/** One admin console command through the real OpenSSH client (sshpass supplies the password); its output. */
export async function sshCommand(port: number, command: string, user: string, password: string): Promise<string> {
  // prettier-ignore
  const { stdout } = await run('sshpass', ['-p', password, 'ssh', '-p', String(port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive',
    `${user}@127.0.0.1`, command], { timeout: 30_000 })
  return stdout
}

/** A fresh temp directory with a lower-case name (podman derives image names from OCI layout paths). */
export function tempDir(label: string): string {
  const dir = join(tmpdir(), `everlock-${label}-${randomBytes(6).toString('hex')}`)
  mkdirSync(dir)
  return dir
}

/** The seed's command line (step 1), with test ports and directories. */
export function seedArgs(dir: string, http: number, ssh: number, extra: string[] = []): string[] {
  // prettier-ignore
  return ['serve', '--frontend-http', '--frontend-http-listen-http', `127.0.0.1:${http}`,
    '--backend-admin-ssh', '--backend-oci-http', '--backend-oci-http-vhost', 'localhost',
    '--backend-oci-http-store', 'everlock-oci-local', '--admin-user', 'admin', '--admin-password', 'change-me',
    '--frontend-ssh-listen', `127.0.0.1:${ssh}`, '--metrics-listen', '',
    '--data-dir', join(dir, 'data'), '--config-dir', join(dir, 'config'), ...extra]
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

export class Child {
  output = ''
  readonly exited: Promise<Exit>

  constructor(readonly child: ChildProcess) {
    const keep = (c: Buffer) => {
      this.output = (this.output + c.toString('utf8')).slice(-100_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((r) => child.once('close', (code, signal) => r({ code, signal, output: this.output })))
  }

  static spawn(args: string[], cwd: string): Child {
    return new Child(spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }))
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Resolves when every pattern has appeared in the output; rejects if the process exits first. */
  async waitFor(patterns: RegExp[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!patterns.every((p) => p.test(this.output))) {
      if (!this.alive) throw new Error(`everlock exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`)
      if (Date.now() > deadline) throw new Error(`everlock not ready after ${timeoutMs} ms:\n${this.output}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** SIGTERM and wait for the exit (SIGKILL after 20 s). */
  async stop(): Promise<Exit> {
    if (this.alive) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000)
    const exit = await this.exited
    clearTimeout(timer)
    return exit
  }
}

/** A running server with its ports and directory. */
export class Everlock {
  private constructor(
    readonly proc: Child,
    readonly dir: string,
    readonly http: number,
    readonly ssh: number,
  ) {}

  static async start(dir: string, opts: { http?: number; ssh?: number; args?: (http: number, ssh: number) => string[] } = {}): Promise<Everlock> {
    const http = opts.http ?? (await freePort())
    const ssh = opts.ssh ?? (await freePort())
    const proc = Child.spawn(opts.args ? opts.args(http, ssh) : seedArgs(dir, http, ssh), dir)
    try {
      await proc.waitFor([/^http listening on /m, /^ssh listening on /m])
    } catch (err) {
      proc.child.kill('SIGKILL')
      throw err
    }
    return new Everlock(proc, dir, http, ssh)
  }

  restart(): Promise<Everlock> {
    return Everlock.start(this.dir, { http: this.http, ssh: this.ssh })
  }

  get registry(): string {
    return `localhost:${this.http}`
  }

  /** One admin console command through the real OpenSSH client (`ssh … '<command>'`). */
  console(command: string, user = 'admin', password = 'change-me'): Promise<string> {
    return sshCommand(this.ssh, command, user, password)
  }

  /**
   * An interactive console session as in the guide (`ssh -p … admin@localhost`, a PTY forced with -tt): the
   * lines are typed one after another; resolves with everything the terminal showed.
   */
  async terminal(lines: string[], user = 'admin', password = 'change-me'): Promise<string> {
    // prettier-ignore
    const child = spawn('sshpass', ['-p', password, 'ssh', '-tt', '-p', String(this.ssh),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'PubkeyAuthentication=no', `${user}@localhost`], { stdio: ['pipe', 'pipe', 'pipe'] })
    let shown = ''
    child.stdout.on('data', (c: Buffer) => (shown += c.toString('utf8')))
    const done = new Promise<void>((r) => child.once('close', () => r()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    for (const line of lines) {
      const prompts = shown.split('> ').length
      child.stdin.write(`${line}\r`)
      // wait for the next prompt (or the end) before typing on
      while (shown.split('> ').length <= prompts && child.exitCode === null) await new Promise((r) => setTimeout(r, 20))
    }
    child.stdin.end()
    await done
    clearTimeout(timer)
    return shown
  }

  stop(): Promise<Exit> {
    return this.proc.stop()
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** `tempDir` for one test file: `const dir = tempDirs()` in a describe, then `dir('label')`; removed after it. */
export function tempDirs(): (label: string) => string {
  const dirs: string[] = []
  afterAll(() => dirs.forEach(removeDir))
  return (label) => {
    const dir = tempDir(label)
    dirs.push(dir)
    return dir
  }
}
