// What a person starting the server sees: README's Run-it command (no secret printed, a few lines, Ctrl-C exits 0),
// a bad command line refused before anything is created, and a data directory no one else can read.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { built, Child, CLI, Everlock, freePort, sshCommand, tempDirs } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { pushSmall } from '../helpers/push.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const haveTmux = spawnSync('tmux', ['-V']).status === 0

async function until(what: string, ok: () => boolean, onTimeout?: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${onTimeout ? `:\n${onTimeout()}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The server half of README's "Run it" command (after `bash scripts/setup.sh &&`), continuation lines joined. */
function readmeRunIt(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const block = /\*\*Run it\*\*[^]*?```sh\n([^]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README.md has no "Run it" block')
  const line = block.replace(/\\\n\s*/g, ' ').trim()
  const [setup, server, ...more] = line.split(' && ')
  expect(setup).toBe('bash scripts/setup.sh')
  expect(more).toEqual([])
  return server!
}

/** Every file and directory under `dir` whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const found: string[] = []
  const walk = (path: string): void => {
    if ((statSync(path).mode & 0o077) !== 0) found.push(`${(statSync(path).mode & 0o777).toString(8)} ${path}`)
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
  }
  walk(dir)
  return found
}

describe.skipIf(!built)('starting everlock', () => {
  const dir = tempDirs()

  it("README's Run-it command prints no secret and a few start lines, and Ctrl-C ends it with exit 0", async () => {
    const d = dir('runit')
    const secret = `pw-${randomBytes(9).toString('hex')}`
    const documented = readmeRunIt()
    expect(documented).not.toMatch(/--admin-password/) // the documented form takes it from the environment
    const [http, ssh, metrics] = [await freePort(), await freePort(), await freePort()]
    // prettier-ignore
    const command = documented.replaceAll('change-me', secret).replace('127.0.0.1:8080', `127.0.0.1:${http}`) +
      ` --frontend-ssh-listen 127.0.0.1:${ssh} --metrics-listen 127.0.0.1:${metrics}` +
      ` --data-dir ${join(d, 'data')} --config-dir ${join(d, 'config')}`
    // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to every process of the group.
    const proc = new Child(spawn('bash', ['-c', command], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } }))
    try {
      await proc.waitFor([/^ssh listening on /m], 120_000)
    } catch (err) {
      process.kill(-proc.child.pid!, 'SIGKILL')
      throw err
    }
    const start = proc.output.split('\n').filter((l) => l.trim() !== '')
    expect(start.filter((l) => /listening/.test(l))).toHaveLength(3) // http, metrics, ssh: one line each
    expect(start.length).toBeLessThanOrEqual(8)

    process.kill(-proc.child.pid!, 'SIGINT')
    const exit = await proc.exited
    expect(exit.output).toMatch(/^stopped$/m)
    expect(exit.output).not.toMatch(/ELIFECYCLE/)
    expect(exit.code).toBe(0)
    expect(exit.output).not.toContain(secret)
  })

  it('a bad listen address is refused (exit 2, naming the flag) before any user, directory or listener exists', async () => {
    const d = dir('badlisten')
    // prettier-ignore
    const args = ['serve', '--frontend-http', '--frontend-http-listen-http', `127.0.0.1:${await freePort()}`, '--metrics-listen', '',
      '--backend-admin-ssh', '--frontend-ssh-listen', '127.0.0.1:99999', '--admin-user', 'a', '--data-dir', join(d, 'data'), '--config-dir', join(d, 'config')]
    const exit = await new Child(spawn(process.execPath, [join(ROOT, 'apps/everlock/dist/cli.js'), ...args], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EVERLOCK_ADMIN_PASSWORD: 'pw' } })).exited
    expect(exit.code).toBe(2)
    expect(exit.output).toMatch(/^ {2}--frontend-ssh-listen: /m)
    expect(exit.output).not.toMatch(/listening|created/)
    expect(existsSync(join(d, 'data'))).toBe(false)
  })

  it('an address that cannot be listened on (in use) is found before any user, directory or listener exists, by its flag', async () => {
    const d = dir('inuse')
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    const port = (taken.address() as { port: number }).port
    try {
      // prettier-ignore
      const args = ['serve', '--frontend-http', '--frontend-http-listen-http', `127.0.0.1:${await freePort()}`, '--metrics-listen', '',
        '--backend-admin-ssh', '--frontend-ssh-listen', `127.0.0.1:${port}`, '--admin-user', 'a', '--data-dir', join(d, 'data'), '--config-dir', join(d, 'config')]
      const exit = await new Child(spawn(process.execPath, [CLI, ...args], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EVERLOCK_ADMIN_PASSWORD: 'pw' } })).exited
      expect(exit.code).toBe(1)
      expect(exit.output).toMatch(new RegExp(`^ {2}--frontend-ssh-listen 127\\.0\\.0\\.1:${port}: `, 'm'))
      expect(exit.output).not.toMatch(/listening|created/)
      expect(existsSync(join(d, 'data'))).toBe(false)
    } finally {
      await new Promise((r) => taken.close(r))
    }
  })

  it('the data directory and everything in it (hashes, blobs, uploads, host key) is readable by its owner only', async () => {
    const d = dir('modes')
    const e = await Everlock.start(d)
    await pushSmall({ port: e.http, host: 'localhost', auth: ['admin', 'change-me'] }, 'team/app', 'v1')
    expect((await e.stop()).code).toBe(0)
    expect(openToOthers(join(d, 'data'))).toEqual([])
    expect(openToOthers(join(d, 'config'))).toEqual([])
  })

  it('one Ctrl-C that arrives twice (the process group, and a parent passing it on) is one stop: in-flight work finishes', async () => {
    const d = dir('twice')
    const e = await Everlock.start(d)
    const where = { port: e.http, host: 'localhost', auth: ['admin', 'change-me'] as [string, string] }
    const location = String((await request({ ...where, method: 'POST', path: '/v2/keep/app/blobs/uploads/' })).headers.location)
    const half = Buffer.alloc(64 * 1024, 1)
    const authorization = `Basic ${Buffer.from('admin:change-me').toString('base64')}`
    // prettier-ignore
    const req = httpRequest({ host: '127.0.0.1', port: e.http, method: 'PATCH', path: location, agent: false,
      headers: { host: 'localhost', authorization, 'content-type': 'application/octet-stream', 'content-length': String(half.length * 2) } })
    const status = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)))
      req.on('error', reject)
    })
    req.write(half)
    await new Promise((r) => setTimeout(r, 300))
    e.proc.child.kill('SIGINT')
    await e.proc.waitFor([/^SIGINT: shutting down/m])
    e.proc.child.kill('SIGINT')
    await new Promise((r) => setTimeout(r, 300))
    req.end(half)
    expect(await status).toBe(202)
    const exit = await e.proc.exited
    expect(exit.code).toBe(0)
    expect(exit.output).toMatch(/^stopped$/m) // not "SIGINT again: exiting without waiting"
  })

  it.skipIf(!haveTmux)('asks for a missing admin password on a terminal, and does not show what is typed', async () => {
    const d = dir('prompt')
    const ssh = await freePort()
    const secret = `pw-${randomBytes(9).toString('hex')}`
    const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', `everlock-test-${process.pid}-${ssh}`, ...args], { encoding: 'utf8' })
    // prettier-ignore
    const command = ['env', '-u', 'EVERLOCK_ADMIN_PASSWORD', process.execPath, CLI, 'serve', '--backend-admin-ssh',
      '--frontend-ssh-listen', `127.0.0.1:${ssh}`, '--admin-user', 'admin', '--data-dir', join(d, 'data')].join(' ')
    tmux('new-session', '-d', '-x', '200', '-y', '50', `${command}; echo "exit=$?"; sleep 60`)
    try {
      const screen = () => tmux('capture-pane', '-p')
      await until('the password prompt', () => /password for the admin user admin:/.test(screen()), screen)
      tmux('send-keys', '-l', secret)
      tmux('send-keys', 'Enter')
      await until('the console', () => /^ssh listening on /m.test(screen()))
      expect(await sshCommand(ssh, '/users list', 'admin', secret)).toMatch(/^admin /m)
      tmux('send-keys', 'C-c')
      await until('the end', () => /^exit=/m.test(screen()))
      expect(screen()).toMatch(/^exit=0$/m)
      expect(screen()).not.toContain(secret)
    } finally {
      tmux('kill-server')
    }
  })
})
