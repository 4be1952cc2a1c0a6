// AI through `everlock serve`: a tiny random-weight model and projector written at test time (nothing
// downloaded), the console through the real OpenSSH client in a PTY and in exec mode, captions for an image
// uploaded with curl, and a missing model file. Asserts streaming, counts, cancellation and errors — never words.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestModelFiles, type TestModelFiles } from '@everlock/ai-runtime/testing'
import { built, Everlock, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'

const run = promisify(execFile)
const PHOTOS = 'photos.localhost'

/** `curl` with the vhost resolved to loopback; status and body. */
async function curl(port: number, args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--resolve', `${PHOTOS}:${port}:127.0.0.1`, '-w', '\n%{http_code}', ...args], { timeout: 60_000, maxBuffer: 16 << 20 })
  const at = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) }
}

/** An exec-mode console command that may fail: its output and exit code. */
async function exec(e: Everlock, command: string, user = 'admin', password = 'change-me'): Promise<{ out: string; code: number }> {
  try {
    return { out: await e.console(command, user, password), code: 0 }
  } catch (err) {
    const { stdout = '', stderr = '', code = -1 } = err as { stdout?: string; stderr?: string; code?: number }
    return { out: stdout + stderr, code }
  }
}

/** An interactive session (`ssh -tt`): every chunk the terminal got, with its arrival time. */
class Terminal {
  readonly chunks: Array<{ at: number; text: string }> = []
  private readonly child: ChildProcessWithoutNullStreams

  constructor(port: number, user = 'admin', password = 'change-me') {
    // prettier-ignore
    this.child = spawn('sshpass', ['-p', password, 'ssh', '-tt', '-p', String(port),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'PubkeyAuthentication=no', `${user}@localhost`])
    this.child.stdout.on('data', (c: Buffer) => this.chunks.push({ at: Date.now(), text: c.toString('utf8') }))
  }

  get shown(): string {
    return this.chunks.map((c) => c.text).join('')
  }

  type(text: string): void {
    this.child.stdin.write(text)
  }

  /** Wait until the output after `from` (an index into chunks) matches. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!re.test(this.chunks.slice(from).map((c) => c.text).join(''))) {
      if (Date.now() > deadline) throw new Error(`terminal: ${re} not seen:\n${this.shown.slice(-2000)}`)
      if (this.child.exitCode !== null) throw new Error(`terminal closed:\n${this.shown.slice(-2000)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Type a line and wait for the next prompt; the chunks that came in between. */
  async line(text: string): Promise<Array<{ at: number; text: string }>> {
    const from = this.chunks.length
    this.type(`${text}\r`)
    await this.waitFor(/\r\n> $/, from)
    return this.chunks.slice(from)
  }

  async close(): Promise<void> {
    this.type('\x04')
    this.child.stdin.end()
    await new Promise((r) => (this.child.exitCode !== null ? r(undefined) : this.child.once('close', r)))
  }
}

describe.skipIf(!built)('AI through everlock serve (tiny random-weight model + projector)', () => {
  let dir: string
  let files: TestModelFiles
  let e: Everlock

  beforeAll(async () => {
    dir = tempDir('ai')
    files = await createTestModelFiles()
    e = await Everlock.start(dir, {
      args: (http, ssh) =>
        seedArgs(dir, http, ssh, [
          '--backend-image-http', '--backend-image-http-vhost', PHOTOS,
          '--backend-ai-ssh', '--backend-ai-ssh-model', files.modelPath, '--backend-ai-ssh-mmproj', files.mmprojPath,
          '--backend-ai-ssh-threads', '2', '--backend-ai-ssh-context', '2048',
        ]),
    })
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
    await files?.cleanup()
    if (dir) removeDir(dir)
  })

  it('/ai info shows the model, the engine, the load state and the queue', async () => {
    let out = ''
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      out = await e.console('/ai info')
      if (/^state\s+ready$/m.test(out)) break
    }
    expect(out).toMatch(/^state\s+ready$/m)
    expect(out).toContain(files.modelPath)
    expect(out).toContain(files.mmprojPath)
    expect(out).toMatch(/^engine\s+\S+/m)
    expect(out).toMatch(/^queue\s+\d+ running/m)
    expect((await e.console('/help')).split('\n').filter((l) => l.startsWith('/ai '))).toHaveLength(2)
  })

  it('in a PTY, tokens stream as they are made; Ctrl-C stops an answer and the session goes on; /ai reset', async () => {
    const t = new Terminal(e.ssh)
    try {
      await t.waitFor(/> $/)
      // a whole answer: many chunks, spread over time, before the next prompt
      const chunks = (await t.line('hello there')).filter((c) => !/^hello there/.test(c.text))
      expect(chunks.length).toBeGreaterThanOrEqual(3)
      expect(chunks.at(-1)!.at - chunks[0]!.at).toBeGreaterThan(0)
      const before = (await t.line('/ai info')).map((c) => c.text).join('')
      expect(before).toMatch(/^conversation\s+2 messages\r$/m)
      const stopped = (text: string): number => Number(/^requests\s+\d+ completed, \d+ failed, (\d+) stopped/m.exec(text)?.[1])
      const stoppedBefore = stopped(before)

      // Ctrl-C once the answer has started: the prompt comes back, the answer stops
      const from = t.chunks.length
      t.type('tell me a long story\r')
      await t.waitFor(/story\r\n[^]+/, from)
      const started = Date.now()
      t.type('\x03')
      await t.waitFor(/\^C\r\n> $/, from)
      expect(Date.now() - started).toBeLessThan(15_000)
      const stoppedAt = t.chunks.length
      await new Promise((r) => setTimeout(r, 500))
      expect(t.chunks.length).toBe(stoppedAt)

      const after = (await t.line('/ai info')).map((c) => c.text).join('')
      expect(after).toMatch(/^conversation\s+4 messages\r$/m)
      // the model was stopped, not left to finish
      expect(stopped(after)).toBe(stoppedBefore + 1)
      expect((await t.line('/ai reset')).map((c) => c.text).join('')).toMatch(/4 messages/)
      expect((await t.line('/ai info')).map((c) => c.text).join('')).toMatch(/^conversation\s+0 messages\r$/m)
    } finally {
      await t.close()
    }
  }, 120_000)

  it('exec mode answers a prompt; a user without reader on ssh/ai/console is refused', async () => {
    const answered = await exec(e, 'say something')
    expect(answered.code).toBe(0)
    expect(answered.out.trim().length).toBeGreaterThan(0)
    await e.console('/users add bob pw-bob')
    const refused = await exec(e, 'say something', 'bob', 'pw-bob')
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('ssh/ai/console')
    expect((await exec(e, '/ai info', 'bob', 'pw-bob')).code).toBe(1)
    await e.console('/users grant bob ssh/ai/console reader')
    expect((await exec(e, '/ai info', 'bob', 'pw-bob')).code).toBe(0)
  }, 90_000)

  it('an uploaded image gets caption, visible text and tags in its record, and is found by a tag', async () => {
    const jpeg = join(dir, 'photo.jpg')
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=1', '-frames:v', '1', '-y', jpeg])
    await e.console('/users add dora pw-dora')
    await e.console('/users grant dora http/image/default writer')
    const url = (path: string): string => `http://${PHOTOS}:${e.http}${path}`
    const up = await curl(e.http, ['-u', 'dora:pw-dora', '-H', 'X-Filename: photo.jpg', '-H', 'Content-Type: image/jpeg', '--data-binary', `@${jpeg}`, url('/api/assets')])
    expect(up.status).toBe(201)
    const id = (JSON.parse(up.body) as { id: string }).id
    type Rec = { caption?: string; captionSource?: string; text?: string; tags: string[]; jobs: { caption: { state: string; error?: unknown } } }
    let record: Rec
    for (const deadline = Date.now() + 90_000; ; await new Promise((r) => setTimeout(r, 300))) {
      record = JSON.parse((await curl(e.http, ['-u', 'dora:pw-dora', url(`/api/assets/${id}`)])).body) as Rec
      if (['done', 'failed'].includes(record.jobs.caption.state) || Date.now() > deadline) break
    }
    expect(record.jobs.caption, JSON.stringify(record)).toMatchObject({ state: 'done' })
    expect(record.captionSource).toBe('model')
    expect(record.caption!.length).toBeGreaterThan(0)
    expect(typeof record.text).toBe('string')
    // eslint-disable-next-line no-control-regex
    expect(`${record.caption}${record.text}${record.tags.join('')}`).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
    expect(record.tags.length).toBeGreaterThan(0)
    const tag = record.tags.find((t) => /^[\p{L}\p{N}]+$/u.test(t)) ?? record.tags[0]!
    const found = await curl(e.http, ['-u', 'dora:pw-dora', '-G', '--data-urlencode', `q=${tag}`, url('/api/assets')])
    expect(found.status).toBe(200)
    expect((JSON.parse(found.body) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toContain(id)
    expect(await e.console('/store log everlock-image')).toMatch(/ job:caption caption /)
  }, 120_000)
})

describe.skipIf(!built)('a missing model file', () => {
  let dir: string
  let e: Everlock
  const missing = '/nonexistent/everlock-test-model.gguf'

  beforeAll(async () => {
    dir = tempDir('ai-missing')
    e = await Everlock.start(dir, {
      args: (http, ssh) => seedArgs(dir, http, ssh, ['--backend-image-http', '--backend-image-http-vhost', PHOTOS, '--backend-ai-ssh', '--backend-ai-ssh-model', missing]),
    })
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
    if (dir) removeDir(dir)
  })

  it('is logged at start naming the file; the registry, the console and the libraries keep serving; /ai info shows it', async () => {
    await e.proc.waitFor([/ai model failed to load.*MODEL_MISSING/])
    expect(e.proc.output).toContain(missing)
    const v2 = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `http://localhost:${e.http}/v2/`])
    expect(v2.stdout).toBe('401')
    const info = await e.console('/ai info')
    expect(info).toMatch(/^state\s+failed: MODEL_MISSING: /m)
    expect(info).toContain(missing)
    const prompt = await exec(e, 'hello')
    expect(prompt.code).toBe(1)
    expect(prompt.out).toContain(missing)
    // no projector: images are not captioned and the record says so
    await e.console('/users add carol pw-carol')
    await e.console('/users grant carol http/image/default writer')
    const png = join(dir, 'p.png')
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=1', '-frames:v', '1', '-y', png])
    const up = await curl(e.http, ['-u', 'carol:pw-carol', '-H', 'X-Filename: p.png', '-H', 'Content-Type: image/png', '--data-binary', `@${png}`, `http://${PHOTOS}:${e.http}/api/assets`])
    expect(up.status).toBe(201)
    expect((JSON.parse(up.body) as { jobs: { caption: { state: string } } }).jobs.caption.state).toBe('unavailable')
  }, 60_000)
})
