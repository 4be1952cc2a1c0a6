import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url))
const ROUNDS = Number(process.env.EVERLOCK_CRASH_ROUNDS ?? 20)

interface Ack {
  index: number
  digest: string
  size: number
  commit: string
}

/** Run the writer until a random moment, SIGKILL it, and return what it acknowledged. */
function runAndKill(dir: string, first: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const acks: Ack[] = []
    let buffered = ''
    let stderr = ''
    proc.stderr.on('data', (d) => (stderr += d))
    proc.stdout.on('data', (data: Buffer) => {
      buffered += data.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line === 'READY') setTimeout(() => proc.kill('SIGKILL'), 20 + Math.random() * 400)
        const m = /^ACK (\d+) (\S+) (\d+) (\S+)$/.exec(line)
        if (m) acks.push({ index: Number(m[1]), digest: m[2]!, size: Number(m[3]), commit: m[4]! })
      }
    })
    proc.on('error', reject)
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`))
      else resolve(acks)
    })
  })
}

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

test(`SIGKILL at random moments ${ROUNDS} times: acknowledged commits survive whole, nothing partial is visible`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-crash-'))
  dirs.push(dir)
  const acknowledged: Ack[] = []
  for (let round = 0; round < ROUNDS; round++) {
    acknowledged.push(...(await runAndKill(dir, round * 100_000)))

    const stores = await openStores({ dir })
    try {
      const store = await stores.open('crash')
      for (const ack of acknowledged) {
        expect(await store.getCommit(ack.commit), `commit of item ${ack.index}`).toBeDefined()
        expect(await store.get(`items/${ack.index}`)).toEqual({ digest: ack.digest, size: ack.size })
      }
      const last = acknowledged.at(-1)
      if (last) {
        const hash = createHash('sha256')
        for await (const chunk of await store.getBlob(last.digest)) hash.update(chunk as Buffer)
        expect(`sha256:${hash.digest('hex')}`).toBe(last.digest)
      }
      // still writable after the crash
      const probe = await store.putBlob(Readable.from([Buffer.from(`probe ${round}`)]))
      await store.commit([{ op: 'put', path: `probes/${round}`, digest: probe.digest, size: probe.size }], { author: 'test', message: 'probe' })
      // the temp area was swept on open
      expect(await readdir(join(dir, 'stores', 'crash', 'blobs', 'tmp'))).toEqual([])
    } finally {
      await stores.close()
    }
  }
  expect(acknowledged.length).toBeGreaterThan(ROUNDS)

  // A full check at the end: every blob hashes to its name, every entry names a blob, the chain is whole.
  const stores = await openStores({ dir })
  try {
    const report = await (await stores.open('crash')).verify()
    expect(report.problems).toEqual([])
    expect(report.commitsChecked).toBeGreaterThanOrEqual(acknowledged.length + ROUNDS)
  } finally {
    await stores.close()
  }
}, 180_000)
