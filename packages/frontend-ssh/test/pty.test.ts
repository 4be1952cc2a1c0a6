import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, sshArgs, start, type Harness } from './helpers.js'
import type { ConsoleAi } from '@everlock/backend-admin'

// An interactive session: the real OpenSSH client with a PTY (-tt) inside a detached tmux pane.
let h: Harness
const socket = `everlock-ssh-test-${process.pid}`
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'console')
const keys = (...k: string[]): string => tmux('send-keys', '-t', 'console', ...k)

async function waitFor(check: (text: string) => boolean, what: string): Promise<string> {
  const until = Date.now() + 10_000
  let text = ''
  while (Date.now() < until) {
    try {
      text = screen()
    } catch {
      text = ''
    }
    if (check(text)) return text
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${text}`)
}

const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length

// a slow model: a word every 50 ms, and a note when the consumer stops it
const model = { stopped: false }
const ai: ConsoleAi = {
  info: () => ({ model: 'slow.gguf', engine: 'test', state: 'ready', queue: { running: 0, interactive: 0, background: 0 }, tokensPerSecond: { last: undefined, average: undefined } }),
  async *prompt(messages, { signal }) {
    const text = messages.at(-1)?.content
    try {
      for (let i = 0; i < (text === 'short' ? 6 : 400) && !signal.aborted; i++) {
        yield 'tick '
        await new Promise((r) => setTimeout(r, 50))
      }
    } finally {
      model.stopped = true
    }
  },
}

beforeAll(async () => {
  h = await start({ ai })
  const command = ['sshpass', '-p', ADMIN_PASSWORD, 'ssh', '-tt', ...sshArgs(h.port, ['-o', 'PubkeyAuthentication=no']), 'admin@127.0.0.1']
  tmux('new-session', '-d', '-s', 'console', '-x', '160', '-y', '50', command.map((a) => `'${a}'`).join(' '))
})
afterAll(async () => {
  try {
    tmux('kill-server')
  } catch {
    // already gone
  }
  await h.close()
})

describe('interactive PTY session under tmux', () => {
  it('shows the banner and the prompt', async () => {
    const text = await waitFor((t) => /^> $/m.test(t), 'the prompt')
    expect(text).toMatch(/^Everlock Admin$/m)
  })

  it('echoes typed text and runs the line on Enter', async () => {
    keys('-l', '/users add dave pw-d')
    await waitFor((t) => t.includes('> /users add dave pw-d'), 'echo')
    keys('Enter')
    await waitFor((t) => t.includes("user 'dave' added"), 'the answer')
    expect(await h.auth.hasUser('dave')).toBe(true)
  })

  it('backspace edits the line', async () => {
    keys('-l', '/users lisx')
    keys('BSpace')
    keys('-l', 't')
    keys('Enter')
    const text = await waitFor((t) => /^dave\s/m.test(t), 'the user list')
    expect(text).toContain('> /users list')
    expect(text).not.toContain('lisx')
  })

  it('Ctrl-C cancels the line and gives a new prompt', async () => {
    keys('-l', '/users add never pw')
    await waitFor((t) => t.includes('/users add never pw'), 'echo')
    keys('C-c')
    await waitFor((t) => /\/users add never pw\^C\n> $/m.test(t), '^C and a prompt')
    expect(await h.auth.hasUser('never')).toBe(false)
  })

  it('left arrow moves the cursor; inserted text lands in place', async () => {
    keys('-l', '/users add eve pw')
    keys('Left', 'Left')
    keys('-l', 'XY')
    keys('Enter')
    await waitFor((t) => t.includes("user 'eve' added"), 'the answer')
    expect(await h.auth.verifyPassword('eve', 'XYpw')).toBeDefined()
  })

  it('up arrow recalls history', async () => {
    const before = count(screen(), /^USER\s+CREATED/gm)
    keys('Up', 'Up')
    await waitFor((t) => /^> \/users list$/.test((t.trimEnd().split('\n').pop() ?? '').trimEnd()), 'the recalled line')
    keys('Enter')
    await waitFor((t) => count(t, /^USER\s+CREATED/gm) === before + 1, 'a second listing')
  })

  it('refuses control characters (shown as ?) and over-long lines, and keeps going', async () => {
    keys('-l', 'x'.repeat(9000))
    keys('Enter')
    await waitFor((t) => t.includes('line too long (over 8192 bytes); ignored'), 'the refusal')
    keys('-l', '/users grants dave')
    keys('C-g', 'Enter')
    await waitFor((t) => t.includes('> /users grants dave?\ncontrol character U+0007 (Ctrl-G) at position 19 refused; nothing was run'), 'the control refusal')
    keys('-l', '/users grants dave')
    keys('Enter')
    await waitFor((t) => t.includes("no grants for 'dave'"), 'the next command')
  })

  it('puts the cursor where wide characters end', async () => {
    keys('-l', '日本語')
    await waitFor((t) => /^> 日本語$/m.test(t), 'the echo')
    keys('Left')
    const until = Date.now() + 10_000
    let x = ''
    while (Date.now() < until && (x = tmux('display', '-p', '-t', 'console', '#{cursor_x}').trim()) !== '6') await new Promise((r) => setTimeout(r, 50))
    expect(x).toBe('6') // "> " + 日本 (two columns each)
    keys('C-u')
  })

  it('takes and shows UTF-8 as typed', async () => {
    keys('-l', '/users add jürgen "pässwörd 日本語"')
    keys('Enter')
    await waitFor((t) => t.includes("invalid user name 'jürgen'"), 'the name shown back')
    keys('-l', '/users add ute "pässwörd 日本語"')
    keys('Enter')
    await waitFor((t) => t.includes("user 'ute' added"), 'the answer')
    expect(await h.auth.verifyPassword('ute', 'pässwörd 日本語')).toBeDefined()
  })

  it('Ctrl-C interrupts a running command (a streaming AI answer) and keeps type-ahead otherwise', async () => {
    keys('-l', 'tell me a story')
    keys('Enter')
    await waitFor((t) => count(t, /tick /g) >= 3, 'the answer streaming')
    keys('C-c')
    await waitFor((t) => /tick \^C\n> $/m.test(t), '^C and a prompt')
    const ticks = count(screen(), /tick /g)
    await new Promise((r) => setTimeout(r, 400))
    expect(count(screen(), /tick /g)).toBe(ticks)
    await waitFor(() => model.stopped, 'the model stream to be returned')
    // typed while a command runs: kept, then run when it ends
    keys('-l', 'short')
    keys('Enter')
    keys('-l', '/users grants dave')
    keys('Enter')
    const text = await waitFor((t) => count(t, /no grants for 'dave'\n> /g) === 2, 'the type-ahead command')
    expect(text).toMatch(/^> short\n(tick ){6}\n> \/users grants dave\nno grants for 'dave'$/m)
  })

  it('Ctrl-D on an empty line leaves', async () => {
    keys('C-d')
    const until = Date.now() + 10_000
    let alive = true
    while (alive && Date.now() < until) {
      try {
        tmux('has-session', '-t', 'console')
        await new Promise((r) => setTimeout(r, 50))
      } catch {
        alive = false
      }
    }
    expect(alive).toBe(false)
  })
})
