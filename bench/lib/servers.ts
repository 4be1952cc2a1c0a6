// Starts the two registries under test on loopback: the Debian docker-registry (CNCF distribution)
// with htpasswd auth and filesystem storage, and `everlock serve` with one OCI registry.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, stopChild, waitHttp } from './proc.js'
import { benchTls, scheme } from './tls.js'

export const USER = 'bench'
export const PASSWORD = 'bench-password-1'
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))

export interface RunningServer {
  readonly name: 'distribution' | 'everlock'
  readonly base: string
  readonly child: ChildProcess
  readonly dir: string
  stop(): Promise<void>
}

function collectOutput(child: ChildProcess, name: string): () => string {
  let out = ''
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) process.stderr.write(`[${name}] exited ${code}\n${out}\n`)
  })
  return () => out
}

export async function startDistribution(dir: string): Promise<RunningServer> {
  mkdirSync(join(dir, 'storage'), { recursive: true })
  const tls = benchTls()
  const port = await freePort()
  const htpasswd = execFileSync('htpasswd', ['-Bbn', USER, PASSWORD], { encoding: 'utf8' })
  writeFileSync(join(dir, 'htpasswd'), htpasswd)
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: bench-secret',
    ...(tls ? ['  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`] : []),
    'auth:',
    '  htpasswd:',
    '    realm: bench',
    `    path: ${join(dir, 'htpasswd')}`,
    '',
  ].join('\n')
  writeFileSync(join(dir, 'config.yml'), config)
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  collectOutput(child, 'distribution')
  const base = `${scheme()}://127.0.0.1:${port}`
  await waitHttp(`${base}/v2/`, child)
  return { name: 'distribution', base, child, dir, stop: () => stopChild(child) }
}

export interface EverlockOptions {
  readonly store?: string
  readonly sshPort?: number
  readonly nodeArgs?: readonly string[]
}

export async function startEverlock(dir: string, opts: EverlockOptions = {}): Promise<RunningServer & { sshPort: number }> {
  const port = await freePort()
  const dataDir = join(dir, 'data')
  const configDir = join(dir, 'config')
  mkdirSync(dataDir, { recursive: true })
  mkdirSync(configDir, { recursive: true })
  const tls = benchTls()
  if (tls) {
    // clients send no server name for an IP address: the default certificate is the one served
    mkdirSync(join(configDir, 'certs'), { recursive: true })
    writeFileSync(join(configDir, 'certs', 'default.pem'), tls.cert)
    writeFileSync(join(configDir, 'certs', 'default.key'), tls.key, { mode: 0o600 })
  }
  const args = [
    ...(opts.nodeArgs ?? []),
    join(REPO_ROOT, 'apps/everlock/dist/cli.js'),
    'serve',
    '--frontend-http',
    tls ? '--frontend-http-listen-https' : '--frontend-http-listen-http',
    `127.0.0.1:${port}`,
    '--backend-oci-http',
    '--backend-oci-http-vhost',
    '127.0.0.1',
    '--backend-oci-http-store',
    opts.store ?? 'bench',
    '--admin-user',
    USER,
    '--admin-password',
    PASSWORD,
    '--data-dir',
    dataDir,
    '--config-dir',
    configDir,
    '--metrics-listen',
    '',
  ]
  const sshPort = opts.sshPort ?? (await freePort())
  args.push('--backend-admin-ssh', '--frontend-ssh-listen', `127.0.0.1:${sshPort}`)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir })
  const output = collectOutput(child, 'everlock')
  const base = `${scheme()}://127.0.0.1:${port}`
  try {
    await waitHttp(`${base}/v2/`, child)
  } catch (err) {
    await stopChild(child, 'SIGKILL')
    throw new Error(`everlock serve did not start: ${(err as Error).message}\n${output()}`)
  }
  return { name: 'everlock', base, child, dir, sshPort, stop: () => stopChild(child) }
}
