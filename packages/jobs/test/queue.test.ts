import { expect, test } from 'vitest'
import { isJobsError, type JobStatus } from '@everlock/jobs'
import { open, sleep, tempDir } from './helpers.js'

test('a job runs once, its result and timestamps are stored, readable by id, key and state', async () => {
  const queue = await open(await tempDir())
  const seen: unknown[] = []
  queue.handle<{ n: number }, { doubled: number }>('double', ({ payload, attempt, kind }) => {
    seen.push({ payload, attempt, kind })
    return { doubled: payload.n * 2 }
  })
  queue.start()
  const job = await queue.enqueue('double', { n: 21 }, { key: 'double:21' })
  expect(job).toMatchObject({ kind: 'double', key: 'double:21', state: 'queued', attempts: 0, payload: { n: 21 } })
  const done = await queue.waitFor(job.id)
  expect(done).toMatchObject({ state: 'done', attempts: 1, result: { doubled: 42 } })
  expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!))
  expect(seen).toEqual([{ payload: { n: 21 }, attempt: 1, kind: 'double' }])
  expect(await queue.get(job.id)).toEqual(done)
  expect(await queue.getByKey('double:21')).toEqual(done)
  expect((await queue.list({ state: 'done' })).map((j) => j.id)).toEqual([job.id])
  expect(await queue.list({ state: 'queued' })).toEqual([])
  expect(await queue.get('nope')).toBeUndefined()
  expect(await queue.getByKey('nope')).toBeUndefined()
})

test('enqueue with a key is idempotent, also while the first is still queued and when called concurrently', async () => {
  const queue = await open(await tempDir())
  const [a, b] = await Promise.all([queue.enqueue('k', { v: 1 }, { key: 'same' }), queue.enqueue('k', { v: 2 }, { key: 'same' })])
  expect(b.id).toBe(a.id)
  expect(b.payload).toEqual({ v: 1 })
  const c = await queue.enqueue('k', { v: 3 }, { key: 'same' })
  expect(c.id).toBe(a.id)
  expect(await queue.list()).toHaveLength(1)
  const other = await queue.enqueue('k', { v: 4 })
  expect(other.id).not.toBe(a.id)
  await expect(queue.enqueue('other-kind', {}, { key: 'same' })).rejects.toSatisfy((e) => isJobsError(e, 'KEY_CONFLICT'))
})

test('list filters by state and kind, paginates with after, and can go newest first', async () => {
  const queue = await open(await tempDir())
  const ids: string[] = []
  for (let i = 0; i < 7; i++) ids.push((await queue.enqueue(i % 2 ? 'odd' : 'even', { i })).id)
  expect((await queue.list()).map((j) => j.id)).toEqual(ids)
  expect((await queue.list({ kind: 'odd' })).map((j) => j.payload)).toEqual([{ i: 1 }, { i: 3 }, { i: 5 }])
  const page1 = await queue.list({ state: 'queued', limit: 3 })
  const page2 = await queue.list({ state: 'queued', limit: 3, after: page1.at(-1)!.id })
  const page3 = await queue.list({ state: 'queued', limit: 3, after: page2.at(-1)!.id })
  expect([...page1, ...page2, ...page3].map((j) => j.id)).toEqual(ids)
  expect((await queue.list({ reverse: true, limit: 2 })).map((j) => j.id)).toEqual([ids[6], ids[5]])
  expect((await queue.list({ reverse: true, after: ids[2] })).map((j) => j.id)).toEqual([ids[1], ids[0]])
  expect((await queue.list({ state: 'queued', reverse: true, after: ids[2], limit: 1 })).map((j) => j.id)).toEqual([ids[1]])
})

test('bad input gets typed errors and changes nothing', async () => {
  const queue = await open(await tempDir())
  const code = (p: Promise<unknown> | (() => unknown)) =>
    (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
      () => 'no error',
      (e: unknown) => (isJobsError(e) ? e.code : `not a JobsError: ${String(e)}`),
    )
  expect(await code(queue.enqueue('', {}))).toBe('KIND_INVALID')
  expect(await code(queue.enqueue('a!b', {}))).toBe('KIND_INVALID')
  expect(await code(queue.enqueue('x'.repeat(65), {}))).toBe('KIND_INVALID')
  expect(await code(queue.enqueue('ok', {}, { key: '' }))).toBe('KEY_INVALID')
  expect(await code(queue.enqueue('ok', {}, { key: 'a\uD800' }))).toBe('KEY_INVALID')
  expect(await code(queue.enqueue('ok', { big: 1n }))).toBe('PAYLOAD_INVALID')
  expect(await code(queue.enqueue('ok', undefined))).toBe('PAYLOAD_INVALID')
  expect(await code(queue.enqueue('ok', 'x'.repeat(1024 * 1024 + 1)))).toBe('PAYLOAD_INVALID')
  expect(await code(queue.enqueue('ok', {}, { maxAttempts: 0 }))).toBe('OPTION_INVALID')
  expect(await code(queue.enqueue('ok', {}, { delayMs: -1 }))).toBe('OPTION_INVALID')
  expect(await code(() => queue.handle('ok', async () => {}, { concurrency: 0 }))).toBe('OPTION_INVALID')
  expect(await code(() => queue.handle('ok', async () => {}, { retry: { factor: 0.5 } }))).toBe('OPTION_INVALID')
  expect(await code(queue.list({ state: 'bogus' as never }))).toBe('OPTION_INVALID')
  expect(await code(queue.list({ limit: 5000 }))).toBe('OPTION_INVALID')
  expect(await code(queue.waitFor('0000000000000000000000'))).toBe('JOB_UNKNOWN')
  expect(await code(queue.retry('0000000000000000000000'))).toBe('JOB_UNKNOWN')
  queue.handle('ok', async () => {})
  expect(await code(() => queue.handle('ok', async () => {}))).toBe('HANDLER_EXISTS')
  expect(await queue.list()).toEqual([])
  await queue.close()
  expect(await code(queue.enqueue('ok', {}))).toBe('QUEUE_CLOSED')
  expect(await code(queue.get('x'))).toBe('QUEUE_CLOSED')
  expect(await code(() => queue.start())).toBe('QUEUE_CLOSED')
})

test('a delayed job waits for its time, with one timer instead of polling', async () => {
  const queue = await open(await tempDir())
  const ran: number[] = []
  queue.handle('later', () => void ran.push(Date.now()))
  queue.start()
  const t0 = Date.now()
  const job = await queue.enqueue('later', {}, { delayMs: 400 })
  expect(Date.parse(job.runAt) - Date.parse(job.createdAt)).toBe(400)
  await sleep(200)
  expect(ran).toEqual([])
  const passesWhileWaiting = queue.stats().passes
  expect(passesWhileWaiting).toBeLessThanOrEqual(3) // handle, start, enqueue: no polling
  await queue.waitFor(job.id, { timeoutMs: 5000 })
  expect(ran[0]! - t0).toBeGreaterThanOrEqual(395)
  expect(ran[0]! - t0).toBeLessThan(1500)
  expect(queue.stats().passes - passesWhileWaiting).toBeLessThanOrEqual(3) // the timer, then the settle
})

test('jobs of a kind without a handler wait; registering one later runs them', async () => {
  const queue = await open(await tempDir())
  queue.start()
  const job = await queue.enqueue('late', { x: 1 })
  await sleep(50)
  expect((await queue.get(job.id))!.state).toBe('queued')
  queue.handle('late', ({ payload }) => payload)
  expect(await queue.waitFor(job.id)).toMatchObject({ state: 'done', result: { x: 1 } })
})

test('onSettled sees every done and failed job; waitFor times out with WAIT_TIMEOUT', async () => {
  const queue = await open(await tempDir())
  const settled: JobStatus[] = []
  const off = queue.onSettled((job) => settled.push(job))
  queue.handle('ok', () => 'fine')
  queue.handle('bad', () => {
    throw Object.assign(new Error('nope'), { code: 'E_NOPE', retryable: false })
  })
  queue.start()
  const a = await queue.enqueue('ok', {})
  const b = await queue.enqueue('bad', {})
  await queue.waitFor(a.id)
  const failed = await queue.waitFor(b.id)
  expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: { message: 'nope', code: 'E_NOPE' } })
  expect(settled.map((j) => [j.id, j.state]).sort()).toEqual([[a.id, 'done'], [b.id, 'failed']].sort())
  off()
  const never = await queue.enqueue('unhandled', {})
  await expect(queue.waitFor(never.id, { timeoutMs: 50 })).rejects.toSatisfy((e) => isJobsError(e, 'WAIT_TIMEOUT'))
})

test('prune deletes finished jobs older than a time and frees their keys; queued jobs stay', async () => {
  const queue = await open(await tempDir())
  queue.handle('ok', () => 'fine')
  queue.handle('bad', () => {
    throw Object.assign(new Error('no'), { retryable: false })
  })
  queue.start()
  const done = await queue.enqueue('ok', {}, { key: 'ok-1' })
  const failed = await queue.enqueue('bad', {}, { key: 'bad-1' })
  await queue.waitFor(done.id)
  await queue.waitFor(failed.id)
  const waiting = await queue.enqueue('unhandled', {}, { key: 'wait-1' })
  expect(await queue.prune({ before: Date.parse(done.createdAt) })).toBe(0)
  expect(await queue.prune({ before: new Date(Date.now() + 1) })).toBe(1)
  expect(await queue.get(done.id)).toBeUndefined()
  expect(await queue.getByKey('ok-1')).toBeUndefined()
  expect((await queue.get(failed.id))!.state).toBe('failed')
  expect(await queue.prune({ before: Date.now() + 1, failed: true })).toBe(1)
  expect((await queue.list()).map((j) => j.id)).toEqual([waiting.id])
  const fresh = await queue.enqueue('ok', {}, { key: 'ok-1' })
  expect(fresh.id).not.toBe(done.id)
  await expect(queue.prune({ before: 'yesterday' as never })).rejects.toMatchObject({ code: 'OPTION_INVALID' })
})
