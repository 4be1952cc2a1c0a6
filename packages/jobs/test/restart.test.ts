import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { open, tempDir } from './helpers.js'

const child = fileURLToPath(new URL('./fixtures/child.ts', import.meta.url))
const cwd = fileURLToPath(new URL('..', import.meta.url))

interface Run {
  lines: string[]
  signal: NodeJS.Signals | null
  code: number | null
}

/** Run the child; SIGKILL it as soon as `killWhen` matches a line (or after `killAfterMs` from READY). */
function runChild(dir: string, slowMs: number, keys: string[], kill?: { when?: RegExp; afterReadyMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(slowMs), ...keys], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    let buffered = ''
    let stderr = ''
    const guard = setTimeout(() => proc.kill('SIGKILL'), 50_000)
    proc.stderr.on('data', (d) => (stderr += d))
    proc.stdout.on('data', (data: Buffer) => {
      buffered += data.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        lines.push(line)
        if (kill?.when?.test(line)) proc.kill('SIGKILL')
        if (line === 'READY' && kill?.afterReadyMs !== undefined) setTimeout(() => proc.kill('SIGKILL'), kill.afterReadyMs)
      }
    })
    proc.on('error', reject)
    proc.on('exit', (code, signal) => {
      clearTimeout(guard)
      if (!kill && code !== 0) reject(new Error(`child exited with ${code ?? signal}: ${stderr}`))
      else resolve({ lines, signal, code })
    })
  })
}

const field = (lines: string[], prefix: string): string[][] =>
  lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.split(' ').slice(1))

test('SIGKILL mid-job: a new process on the same dir runs the interrupted and the waiting jobs; keys stay idempotent', async () => {
  const dir = await tempDir()
  const keys = ['a', 'b', 'c']

  const first = await runChild(dir, 60_000, keys, { when: /^STARTED / })
  expect(first.signal).toBe('SIGKILL')
  const ids = field(first.lines, 'ENQUEUED').map(([, id]) => id!)
  expect(ids).toHaveLength(3)
  expect(field(first.lines, 'STARTED')).toEqual([[ids[0], '1']])

  const second = await runChild(dir, 30, keys)
  expect(second.lines).toContain('ALL_DONE')
  // the same jobs (by key), the interrupted one back in the queue with its attempt counted
  expect(field(second.lines, 'ENQUEUED')).toEqual([
    ['a', ids[0], 'queued', '1'],
    ['b', ids[1], 'queued', '0'],
    ['c', ids[2], 'queued', '0'],
  ])
  expect(field(second.lines, 'STARTED')).toEqual([
    [ids[0], '2'],
    [ids[1], '1'],
    [ids[2], '1'],
  ])

  // a third process: every key maps to its finished job and nothing runs again
  const third = await runChild(dir, 30, keys)
  expect(field(third.lines, 'ENQUEUED').map(([k, id, state]) => [k, id, state])).toEqual(keys.map((k, i) => [k, ids[i], 'done']))
  expect(field(third.lines, 'STARTED')).toEqual([])

  const queue = await open(dir)
  const done = await queue.list({ state: 'done' })
  expect(done.map((j) => j.id)).toEqual(ids)
  expect(done[0]).toMatchObject({ attempts: 2, lastError: { code: 'INTERRUPTED' }, result: { key: 'a' } })
  expect(await queue.list({ state: 'queued' })).toEqual([])
  expect(await queue.list({ state: 'running' })).toEqual([])
})

test('killed at random moments 5 times, every acknowledged job is done exactly once by key in the end', async () => {
  const dir = await tempDir()
  const acknowledged = new Map<string, string>()
  for (let round = 0; round < 5; round++) {
    const keys = Array.from({ length: 4 }, (_, i) => `r${round}-${i}`)
    const run = await runChild(dir, 25, keys, { afterReadyMs: Math.floor(Math.random() * 120) })
    for (const [key, id] of field(run.lines, 'ENQUEUED')) acknowledged.set(key!, id!)
  }
  const last = await runChild(dir, 5, [...acknowledged.keys()])
  expect(last.lines).toContain('ALL_DONE')
  for (const [key, id] of field(last.lines, 'ENQUEUED')) expect(acknowledged.get(key!)).toBe(id)

  const queue = await open(dir)
  const all = await queue.list({ limit: 1000 })
  expect(all.filter((j) => j.state !== 'done')).toEqual([])
  expect(new Set(all.map((j) => j.key)).size).toBe(all.length)
  for (const [key, id] of acknowledged) expect((await queue.getByKey(key))!.id).toBe(id)
})
