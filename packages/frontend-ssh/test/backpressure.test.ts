import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSshServer, type ConsoleInterpreter, type SshServer } from '@everlock/frontend-ssh'

// A client that floods commands and does not read the answers must be held back by SSH flow control:
// the server stops running its commands instead of buffering their output. Driven by ssh2's own client,
// which (unlike the OpenSSH binary) lets the test stop reading.
const OUTPUT = `${'x'.repeat(1023)}\n`.repeat(4) // 4 KiB per command
let runs = 0
const interpreter: ConsoleInterpreter = {
  session: () => ({
    async *runStream(line: string) {
      runs++
      yield line === 'big' ? OUTPUT : `${line}\n`
      return { ok: true }
    },
  }),
}
const auth = {
  verifyPassword: async (user: string, password: string) => (user === 'admin' && password === 'pw' ? { user } : undefined),
  verifyPublicKey: async () => undefined,
}

let dir: string
let server: SshServer
let port: number
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frontend-ssh-bp-'))
  server = await createSshServer({ hostKeyPath: join(dir, 'key'), auth, interpreter })
  port = (await server.listen('127.0.0.1:0')).port
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('backpressure', () => {
  it('stops running commands while the client does not read, and finishes them all once it does', async () => {
    const client = new ssh2.Client()
    await new Promise<void>((resolve, reject) => {
      client.on('ready', resolve).on('error', reject)
      client.connect({ host: '127.0.0.1', port, username: 'admin', password: 'pw' })
    })
    try {
      const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
        client.shell(false, (err, ch) => (err ? reject(err) : resolve(ch))))
      const total = 3000 // 12 MiB of answers, far more than the SSH window
      channel.write('big\n'.repeat(total))
      channel.pause()
      await new Promise((r) => setTimeout(r, 1500))
      const whilePaused = runs
      expect(whilePaused).toBeGreaterThan(0)
      expect(whilePaused).toBeLessThan(total / 2)
      let received = 0
      channel.on('data', (d: Buffer) => (received += d.length))
      channel.resume()
      channel.end()
      await new Promise((r) => channel.on('close', r))
      expect(runs).toBe(total)
      expect(received).toBe(total * OUTPUT.length)
      console.log(`flood of ${total} commands: ${whilePaused} ran while the client was not reading`)
      // sessions are counted while open, not for the connection's lifetime: ten in a row all work
      for (let i = 0; i < 10; i++) {
        const out = await new Promise<string>((resolve, reject) =>
          client.exec(`echo ${i}`, (err, ch) => {
            if (err) return reject(err)
            let text = ''
            ch.on('data', (d: Buffer) => (text += d)).on('close', () => resolve(text))
          }))
        expect(out).toBe(`echo ${i}\n`)
      }
    } finally {
      client.end()
    }
  })
})
