import { expect, test } from 'vitest'
import { backoffDelay, DEFAULT_RETRY } from '@everlock/jobs'
import { open, tempDir } from './helpers.js'

test('backoffDelay grows by the factor, stops at the cap, and jitter only shortens within its share', () => {
  const p = { baseMs: 100, factor: 3, maxMs: 2000, jitter: 0 }
  expect([1, 2, 3, 4, 5].map((a) => backoffDelay(p, a))).toEqual([100, 300, 900, 2000, 2000])
  const j = { ...p, jitter: 0.5 }
  expect(backoffDelay(j, 2, () => 0)).toBe(300)
  expect(backoffDelay(j, 2, () => 0.999999)).toBe(150)
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(j, 3)
    expect(d).toBeGreaterThanOrEqual(450)
    expect(d).toBeLessThanOrEqual(900)
  }
  expect(DEFAULT_RETRY).toEqual({ baseMs: 1000, factor: 2, maxMs: 300_000, jitter: 0.2 })
})

test('a failing job is retried with exponential backoff, then failed after maxAttempts with its error recorded', async () => {
  const queue = await open(await tempDir(), { retry: { baseMs: 80, factor: 2, maxMs: 10_000, jitter: 0 } })
  const starts: number[] = []
  queue.handle('flaky', ({ attempt }) => {
    starts.push(Date.now())
    throw Object.assign(new Error(`boom ${attempt}`), { code: 'E_BOOM' })
  })
  queue.start()
  const job = await queue.enqueue('flaky', {}, { maxAttempts: 4 })
  const failed = await queue.waitFor(job.id, { timeoutMs: 10_000 })
  expect(failed).toMatchObject({ state: 'failed', attempts: 4, lastError: { message: 'boom 4', code: 'E_BOOM' } })
  expect(failed.finishedAt).toBeDefined()
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!)
  expect(gaps).toHaveLength(3)
  ;[80, 160, 320].forEach((want, i) => {
    expect(gaps[i]).toBeGreaterThanOrEqual(want - 5)
    expect(gaps[i]).toBeLessThan(want + 250)
  })
  expect(await queue.list({ state: 'failed' })).toHaveLength(1)
})

test('while waiting to retry the job is queued with lastError and a later runAt; a later success keeps the last error for the record', async () => {
  const queue = await open(await tempDir(), { retry: { baseMs: 300, jitter: 0 } })
  queue.handle('second-time', ({ attempt }) => {
    if (attempt === 1) throw new Error('not yet')
    return { attempt }
  })
  queue.start()
  const job = await queue.enqueue('second-time', {})
  let waiting = await queue.get(job.id)
  for (let i = 0; i < 200 && !(waiting!.state === 'queued' && waiting!.attempts === 1); i++) {
    await new Promise((r) => setTimeout(r, 5))
    waiting = await queue.get(job.id)
  }
  expect(waiting).toMatchObject({ state: 'queued', attempts: 1, lastError: { message: 'not yet' } })
  expect(Date.parse(waiting!.runAt) - Date.parse(waiting!.startedAt!)).toBeGreaterThanOrEqual(300)
  const done = await queue.waitFor(job.id)
  expect(done).toMatchObject({ state: 'done', attempts: 2, result: { attempt: 2 }, lastError: { message: 'not yet' } })
})

test('retry() puts a failed job back with its attempts reset; other states are refused', async () => {
  const queue = await open(await tempDir())
  let fail = true
  queue.handle('once', () => {
    if (fail) throw Object.assign(new Error('permanent'), { retryable: false })
    return 'ok'
  })
  queue.start()
  const job = await queue.enqueue('once', {}, { key: 'once' })
  expect((await queue.waitFor(job.id)).state).toBe('failed')
  fail = false
  const again = await queue.retry(job.id)
  expect(again).toMatchObject({ state: 'queued', attempts: 0 })
  expect(await queue.waitFor(job.id)).toMatchObject({ state: 'done', attempts: 1, result: 'ok' })
  await expect(queue.retry(job.id)).rejects.toMatchObject({ code: 'JOB_NOT_FAILED' })
})

test('a result that is not JSON counts as a failure', async () => {
  const queue = await open(await tempDir())
  queue.handle('weird', () => ({ n: 1n }), {})
  queue.start()
  const job = await queue.enqueue('weird', {}, { maxAttempts: 1 })
  expect(await queue.waitFor(job.id)).toMatchObject({ state: 'failed', lastError: { code: 'PAYLOAD_INVALID' } })
})
