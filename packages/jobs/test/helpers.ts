import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { openJobQueue, type JobQueue, type QueueOptions } from '@everlock/jobs'

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-jobs-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Open a queue on `dir` that is closed after the test (if the test did not close it). */
export async function open(dir: string, opts: Omit<QueueOptions, 'dir'> = {}): Promise<JobQueue> {
  const queue = await openJobQueue({ dir, onError: (err) => console.error('queue error', err), ...opts })
  cleanups.push(() => queue.close({ timeoutMs: 1000 }))
  return queue
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
