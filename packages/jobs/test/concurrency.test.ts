import { expect, test } from 'vitest'
import { open, sleep, tempDir } from './helpers.js'

test('no more than `concurrency` handlers of a kind run at once, and they do run in parallel', async () => {
  const queue = await open(await tempDir())
  let active = 0
  let peak = 0
  queue.handle(
    'work',
    async () => {
      active++
      peak = Math.max(peak, active)
      await sleep(100)
      active--
    },
    { concurrency: 3 },
  )
  let slowActive = 0
  let slowPeak = 0
  queue.handle('single', async () => {
    slowActive++
    slowPeak = Math.max(slowPeak, slowActive)
    await sleep(20)
    slowActive--
  })
  const jobs = await Promise.all([
    ...Array.from({ length: 12 }, (_, i) => queue.enqueue('work', { i })),
    ...Array.from({ length: 4 }, (_, i) => queue.enqueue('single', { i })),
  ])
  const t0 = Date.now()
  queue.start()
  const settled = await Promise.all(jobs.map((j) => queue.waitFor(j.id)))
  expect(settled.every((j) => j.state === 'done')).toBe(true)
  expect(peak).toBe(3)
  expect(slowPeak).toBe(1)
  // 12 jobs of 100 ms, 3 at a time: 4 rounds (~400 ms), not 12 (1200 ms)
  expect(Date.now() - t0).toBeLessThan(1000)
  expect(queue.stats().running).toEqual({ work: 0, single: 0 })
})

test('close() aborts running handlers; a handler that stops is re-queued without using an attempt and runs after reopening', async () => {
  const dir = await tempDir()
  const queue = await open(dir)
  let started!: () => void
  const running = new Promise<void>((r) => (started = r))
  queue.handle('long', ({ signal }) => {
    started()
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
  })
  queue.start()
  const job = await queue.enqueue('long', {})
  await running
  await queue.close()
  const again = await open(dir)
  expect(await again.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 })
  again.handle('long', ({ attempt }) => ({ attempt }))
  again.start()
  expect(await again.waitFor(job.id)).toMatchObject({ state: 'done', attempts: 1, result: { attempt: 1 } })
})

test('close() waits up to its timeout for a handler that ignores the signal; the job is recovered on the next open', async () => {
  const dir = await tempDir()
  const queue = await open(dir)
  let started!: () => void
  const running = new Promise<void>((r) => (started = r))
  queue.handle('stubborn', async () => {
    started()
    await sleep(1500)
    return 'late'
  })
  queue.start()
  const job = await queue.enqueue('stubborn', {})
  await running
  const t0 = Date.now()
  await queue.close({ timeoutMs: 200 })
  expect(Date.now() - t0).toBeGreaterThanOrEqual(190)
  expect(Date.now() - t0).toBeLessThan(1000)
  const again = await open(dir)
  expect(await again.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: { code: 'INTERRUPTED' } })
  await sleep(1400) // the old handler finishes now; it must not write into the closed or reopened queue
  expect(await again.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 })
})

test('a handler that finishes within the timeout is recorded as done by close()', async () => {
  const dir = await tempDir()
  const queue = await open(dir)
  let started!: () => void
  const running = new Promise<void>((r) => (started = r))
  queue.handle('short', async () => {
    started()
    await sleep(100)
    return 'finished'
  })
  queue.start()
  const job = await queue.enqueue('short', {})
  await running
  await queue.close({ timeoutMs: 2000 })
  const again = await open(dir)
  expect(await again.get(job.id)).toMatchObject({ state: 'done', result: 'finished' })
})
