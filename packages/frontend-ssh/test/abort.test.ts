import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConsoleAi } from '@everlock/backend-admin'
import { ADMIN_PASSWORD, sshArgs, start, type Harness } from './helpers.js'

// A model that makes one token and then waits for its abort signal: only the signal can end it.
const aborted: string[] = []
const ai: ConsoleAi = {
  info: () => ({ model: 'wait.gguf', engine: 'test', state: 'ready', queue: { running: 0, interactive: 0, background: 0 }, tokensPerSecond: { last: undefined, average: undefined } }),
  async *prompt(messages, { signal }) {
    yield 'thinking'
    await new Promise((r) => signal.addEventListener('abort', r, { once: true }))
    aborted.push(messages.at(-1)!.content)
  },
}

let h: Harness
beforeAll(async () => {
  h = await start({ ai })
})
afterAll(async () => h.close())

const until = async (ok: () => boolean, what: string): Promise<void> => {
  for (const deadline = Date.now() + 20_000; !ok(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
  }
}

describe('the console is told when to stop', () => {
  for (const mode of [['exec'], ['-T']]) {
    it(`a client that goes away aborts the running answer (${mode[0]})`, async () => {
      const line = `question ${mode[0]}`
      const args = ['-p', ADMIN_PASSWORD, 'ssh', ...(mode[0] === '-T' ? ['-T'] : []), ...sshArgs(h.port, ['-o', 'PubkeyAuthentication=no']), 'admin@127.0.0.1', ...(mode[0] === 'exec' ? [line] : [])]
      const child = spawn('sshpass', args, { stdio: ['pipe', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      if (mode[0] === '-T') child.stdin.write(`${line}\n`)
      await until(() => out.includes('thinking'), 'the first token')
      child.kill('SIGKILL')
      await until(() => aborted.includes(line), 'the abort')
      expect(aborted).toContain(line)
    })
  }
})
