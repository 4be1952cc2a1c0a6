import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createAdminInterpreter, type ConsoleAi } from '@everlock/backend-admin'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { createSshServer, type SshServer, type SshServerOptions } from '@everlock/frontend-ssh'

export const ADMIN_PASSWORD = 'change-me'

export interface Harness {
  dir: string
  stores: Stores
  auth: Auth
  server: SshServer
  port: number
  hostKeyPath: string
  logs: string[]
  /** Every log call's message and fields as JSON (to check that no secret is ever logged). */
  logText(): string
  close(): Promise<void>
}

/** Real auth-grants over a real store, the real interpreter, the SSH server on a free loopback port. */
export async function start(opts: Partial<SshServerOptions> & { ai?: ConsoleAi } = {}): Promise<Harness> {
  const { ai, ...serverOpts } = opts
  const dir = await mkdtemp(join(tmpdir(), 'frontend-ssh-'))
  const stores = await openStores({ dir: join(dir, 'data') })
  const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 2 ** 10 } })
  await auth.bootstrapAdmin('admin', ADMIN_PASSWORD)
  const logs: string[] = []
  const details: string[] = []
  const interpreter = createAdminInterpreter({ auth, stores, instances: {}, ai, log: (m) => logs.push(m) })
  const hostKeyPath = join(dir, 'data', 'ssh_host_ed25519_key')
  const server = await createSshServer({
    hostKeyPath, auth, interpreter, failureDelayMs: () => 50,
    log: (m, fields) => {
      logs.push(m)
      details.push(`${m} ${JSON.stringify(fields ?? {})}`)
    },
    ...serverOpts,
  })
  const { port } = await server.listen('127.0.0.1:0')
  return {
    dir, stores, auth, server, port, hostKeyPath, logs,
    logText: () => details.join('\n'),
    async close() {
      await server.close()
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export function sshArgs(port: number, extra: string[] = []): string[] {
  // prettier-ignore
  return ['-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=10', ...extra.includes('-v') ? [] : ['-o', 'LogLevel=ERROR'], ...extra]
}

const PASSWORD_ONLY = ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', '-o', 'NumberOfPasswordPrompts=1']

export interface SshResult {
  code: number
  stdout: string
  stderr: string
}

/** `sshpass -p <password> ssh … user@127.0.0.1 [command]` with optional stdin. */
export function ssh(
  port: number,
  opts: { user?: string; password?: string; command?: string; stdin?: string | Buffer; args?: string[]; identity?: string },
): Promise<SshResult> {
  const user = opts.user ?? 'admin'
  const base = opts.identity
    ? ['ssh', ...sshArgs(port, ['-i', opts.identity, '-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no', '-o', 'BatchMode=yes', ...(opts.args ?? [])])]
    : ['sshpass', '-p', opts.password ?? ADMIN_PASSWORD, 'ssh', ...sshArgs(port, [...(opts.args ?? []), ...PASSWORD_ONLY])]
  const argv = [...base, `${user}@127.0.0.1`, ...(opts.command !== undefined ? [opts.command] : [])]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, stdout, stderr })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.stdin ?? '')
  })
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout))))
}
