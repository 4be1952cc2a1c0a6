// bench/ai-ssh.ts — AI through the admin console over SSH (`everlock serve --backend-ai-ssh`, the real OpenSSH
// client in a PTY) against the raw engine (node-llama-cpp) on the same generated model file, in the same run:
// generation tokens/s (ratio, should be ≥ 0.95), first-token latency over SSH, and image captions per minute
// through `everlock serve` with the tiny test model + projector (three prompts per image, curl upload to record).
// The model has Qwen2.5-0.5B's dimensions with random Q4_0 weights (~280 MB, written to a temp dir, not kept).
// Run: pnpm build && pnpm --filter @everlock/bench exec tsx ai-ssh.ts   (--quick: 2 rounds, 3 captions;
//      --no-captions; EVERLOCK_AI_THREADS=n, default 2; EVERLOCK_AI_TOKENS=n per answer, default 128, quick 48)
import { execFile, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AI_SYSTEM_PROMPT } from '@everlock/backend-admin'
import { createTestModelFiles, QWEN2_5_0_5B, writeLlamaModel } from '@everlock/ai-runtime/testing'
import { freePort, stopChild } from './lib/proc.js'
import { PASSWORD, REPO_ROOT, USER } from './lib/servers.js'
import { openRawChat } from './lib/raw-llama.js'

const run = promisify(execFile)
const quick = process.argv.includes('--quick')
const captions = !process.argv.includes('--no-captions')
const THREADS = Number(process.env.EVERLOCK_AI_THREADS ?? 2)
const CONTEXT = 2048
const ROUNDS = quick ? 2 : 4
/** The console's answer limit (`--backend-ai-ssh-max-tokens`); the raw engine is given the same. */
const MAX_TOKENS = Number(process.env.EVERLOCK_AI_TOKENS ?? (quick ? 48 : 128))
const PHOTOS = 'photos.localhost'
const SSH_OPTS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'PubkeyAuthentication=no']

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const prompt = (round: number): string => `Round ${round} ${'ab'.repeat(round + 1)}: tell me about container registries and image libraries.`

interface Sample {
  generated: number
  firstMs: number
  generateMs: number
}
const rate = (s: Sample): number => ((s.generated - 1) * 1000) / s.generateMs

/** `everlock serve` with the console and AI (and the image library when captioning); resolves once the model is loaded. */
async function startServer(dir: string, ai: string[], image: boolean): Promise<{ child: ChildProcess; ssh: number; http: number; output: () => string }> {
  const [ssh, http] = [await freePort(), await freePort()]
  mkdirSync(join(dir, 'data'), { recursive: true })
  // prettier-ignore
  const args = [join(REPO_ROOT, 'apps/everlock/dist/cli.js'), 'serve', '--backend-admin-ssh', '--frontend-ssh-listen', `127.0.0.1:${ssh}`,
    '--admin-user', USER, '--admin-password', PASSWORD, '--data-dir', join(dir, 'data'), '--config-dir', join(dir, 'config'),
    '--backend-ai-ssh', '--backend-ai-ssh-threads', String(THREADS), '--backend-ai-ssh-context', String(CONTEXT),
    '--backend-ai-ssh-max-tokens', String(MAX_TOKENS), ...ai,
    ...(image ? ['--frontend-http', '--frontend-http-listen-http', `127.0.0.1:${http}`, '--metrics-listen', '', '--backend-image-http', '--backend-image-http-vhost', PHOTOS] : [])]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir })
  let out = ''
  child.stdout!.on('data', (c: Buffer) => (out += c))
  child.stderr!.on('data', (c: Buffer) => (out += c))
  for (const deadline = Date.now() + 180_000; !/ai model loaded/.test(out); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || /ai model failed/.test(out) || Date.now() > deadline) throw new Error(`everlock serve did not load the model:\n${out}`)
  }
  return { child, ssh, http, output: () => out }
}

/** One interactive console session (`ssh -tt`), answers timed from the client's side. */
class Console {
  private readonly child: ChildProcessWithoutNullStreams
  private text = ''
  private onData: (() => void) | undefined

  constructor(port: number) {
    this.child = spawn('sshpass', ['-p', PASSWORD, 'ssh', '-tt', '-p', String(port), ...SSH_OPTS, `${USER}@127.0.0.1`])
    this.child.stdout.on('data', (c: Buffer) => {
      this.text += c.toString('utf8')
      this.onData?.()
    })
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.child.exitCode !== null) throw new Error(`ssh exited:\n${this.text.slice(-2000)}`)
      await new Promise<void>((r) => (this.onData = r))
    }
  }

  async ready(): Promise<void> {
    await this.until(() => this.text.endsWith('> '))
  }

  /** Type a line; the time of its first output after the echo, of the next prompt, and what it showed. */
  async line(line: string): Promise<{ sent: number; first: number; end: number; shown: string }> {
    this.text = ''
    const echo = `${line}\r\n`
    const sent = performance.now()
    let first = 0
    this.child.stdin.write(`${line}\r`)
    await this.until(() => {
      if (!first && this.text.length > echo.length) first = performance.now()
      return this.text.length > echo.length && this.text.endsWith('\r\n> ')
    })
    return { sent, first, end: performance.now(), shown: this.text.slice(echo.length) }
  }

  async generatedTokens(): Promise<number> {
    const { shown } = await this.line('/ai info')
    const m = /^tokens\s+\d+ prompt, (\d+) generated/m.exec(shown)
    if (!m) throw new Error(`no token count in /ai info:\n${shown}`)
    return Number(m[1])
  }

  close(): void {
    this.child.stdin.end('\x04')
  }
}

async function viaSsh(c: Console, round: number): Promise<Sample> {
  const before = await c.generatedTokens()
  const t = await c.line(prompt(round))
  const generated = (await c.generatedTokens()) - before
  await c.line('/ai reset')
  return { generated, firstMs: t.first - t.sent, generateMs: t.end - t.first }
}

async function rawEngine(modelPath: string): Promise<{ run(round: number): Promise<Sample>; close(): Promise<void> }> {
  const { chat, close } = await openRawChat(modelPath, { contextSize: CONTEXT, threads: THREADS })
  return {
    async run(round) {
      let n = 0
      const start = performance.now()
      let first = 0
      // the same system prompt and line the console sends, the same limit and temperature (the runtime's default)
      await chat.generateResponse([{ type: 'system', text: AI_SYSTEM_PROMPT }, { type: 'user', text: prompt(round) }, { type: 'model', response: [] }], {
        maxTokens: MAX_TOKENS,
        temperature: 0.7,
        onToken: (t) => {
          first ||= performance.now()
          n += t.length
        },
      })
      const end = performance.now()
      // the chat keeps its context like the runtime's does (the shared system prompt is reused, the rest differs)
      return { generated: n, firstMs: first - start, generateMs: end - first }
    },
    close,
  }
}

async function captionsPerMinute(dir: string, n: number): Promise<{ perMinute: number; seconds: number }> {
  // The tiny test model and projector: on a shared 2-core machine the Qwen-shaped model under llama.node takes
  // minutes per caption, so this figure is the pipeline's (upload, derivatives, three prompts, commit, search index).
  const files = await createTestModelFiles()
  const [modelPath, mmprojPath] = [files.modelPath, files.mmprojPath]
  const server = await startServer(join(dir, 'captions'), ['--backend-ai-ssh-model', modelPath, '--backend-ai-ssh-mmproj', mmprojPath], true)
  try {
    const curl = async (args: string[]): Promise<string> =>
      (await run('curl', ['-sS', '-u', `${USER}:${PASSWORD}`, '--resolve', `${PHOTOS}:${server.http}:127.0.0.1`, ...args], { maxBuffer: 16 << 20 })).stdout
    const ids: string[] = []
    const start = performance.now()
    for (let i = 0; i < n; i++) {
      const jpeg = join(dir, `photo-${i}.jpg`)
      await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${640 + i * 16}x480:rate=1`, '-frames:v', '1', '-y', jpeg])
      const up = JSON.parse(await curl(['-H', `X-Filename: photo-${i}.jpg`, '-H', 'Content-Type: image/jpeg', '--data-binary', `@${jpeg}`, `http://${PHOTOS}:${server.http}/api/assets`])) as { id: string }
      ids.push(up.id)
    }
    for (const id of ids) {
      for (;;) {
        const rec = JSON.parse(await curl([`http://${PHOTOS}:${server.http}/api/assets/${id}`])) as { jobs: { caption: { state: string } } }
        if (rec.jobs.caption.state === 'done') break
        if (rec.jobs.caption.state === 'failed') throw new Error(`caption failed: ${JSON.stringify(rec.jobs.caption)}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    const seconds = (performance.now() - start) / 1000
    return { perMinute: (n * 60) / seconds, seconds }
  } finally {
    await stopChild(server.child)
    await files.cleanup()
  }
}

const dir = await mkdtemp(join(tmpdir(), 'aibench-ssh-'))
try {
  const modelPath = join(dir, 'qwen2.5-0.5b-shape-q4_0.gguf')
  const t0 = performance.now()
  const bytes = await writeLlamaModel(modelPath, { shape: { ...QWEN2_5_0_5B, contextLength: 32768 }, weights: 'Q4_0', name: 'qwen2.5-0.5b-shape' })
  console.log(`model: ${(bytes / 2 ** 20).toFixed(0)} MiB Q4_0, Qwen2.5-0.5B dims, written in ${((performance.now() - t0) / 1000).toFixed(1)} s; threads ${THREADS}, ${ROUNDS} rounds, ${MAX_TOKENS} tokens max`)

  const server = await startServer(join(dir, 'console'), ['--backend-ai-ssh-model', modelPath], false)
  const raw = await rawEngine(modelPath)
  const c = new Console(server.ssh)
  try {
    await c.ready()
    // warm-up both, then interleaved rounds (who goes first alternates) so machine load hits both alike
    await viaSsh(c, 100)
    await raw.run(101)
    const ssh: Sample[] = []
    const direct: Sample[] = []
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        ssh.push(await viaSsh(c, r))
        direct.push(await raw.run(r))
      } else {
        direct.push(await raw.run(r))
        ssh.push(await viaSsh(c, r))
      }
    }
    const fmt = (n: number): string => n.toFixed(2).padStart(8)
    console.log('\nnode-llama-cpp                gen t/s  first token ms  tokens')
    console.log(`  raw engine (in-process)  ${fmt(median(direct.map(rate)))}  ${fmt(median(direct.map((s) => s.firstMs)))}  ${direct.map((s) => s.generated).join(' ')}`)
    console.log(`  console over SSH (PTY)   ${fmt(median(ssh.map(rate)))}  ${fmt(median(ssh.map((s) => s.firstMs)))}  ${ssh.map((s) => s.generated).join(' ')}`)
    console.log(`  ratio of medians         ${fmt(median(ssh.map(rate)) / median(direct.map(rate)))}`)
    console.log(`  paired ratio             ${fmt(median(ssh.map((s, i) => rate(s) / rate(direct[i]!))))}`)
  } finally {
    c.close()
    await raw.close()
    await stopChild(server.child)
  }

  if (captions) {
    const n = quick ? 3 : 6
    const { perMinute, seconds } = await captionsPerMinute(dir, n)
    console.log(`\ncaptions/min through everlock serve (tiny test model + projector, llama.node, 3 prompts each, upload to record): ${perMinute.toFixed(1)} (${n} in ${seconds.toFixed(1)} s)`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
