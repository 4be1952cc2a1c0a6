// A record's work state as the API answers it: the queue's live state, but never `done` before the record is.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { openJobQueue, type JobQueue } from '@everlock/jobs'
import { LibraryCore } from '../src/core.js'
import type { AssetRecord } from '../src/record.js'

let dir: string
let stores: Stores
let jobs: JobQueue
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'everlock-image-live-'))
  stores = await openStores({ dir: join(dir, 'data') })
  jobs = await openJobQueue({ dir: join(dir, 'jobs') })
})
afterAll(async () => {
  await jobs.close({ timeoutMs: 5000 })
  await stores.close()
  await rm(dir, { recursive: true, force: true })
})

it('reports a finished job whose results are not committed yet as running, and a failed one as failed', async () => {
  const core = new LibraryCore(await stores.open('live'), jobs, { maxUploadBytes: 1, maxPixels: undefined, maxFilesPerUpload: 1 }, () => {}, undefined, undefined)
  const digest = `sha256:${'a'.repeat(64)}`
  const failing = `sha256:${'b'.repeat(64)}`
  // The queue's own handler for the kind, doing no commit: the job ends while the record still says queued.
  jobs.handle(core.kinds.derive, async (job) => {
    if ((job.payload as { digest: string }).digest === failing) throw Object.assign(new Error('no'), { retryable: false })
    return { derivatives: [] }
  })
  jobs.start()
  const done = await jobs.waitFor((await jobs.enqueue(core.kinds.derive, { id: 'a'.repeat(64), digest }, { key: core.deriveKey(digest) })).id, { timeoutMs: 20_000 })
  expect(done.state).toBe('done')
  const record = { digest, uploadedAt: new Date().toISOString(), jobs: { derive: { state: 'queued' }, caption: { state: 'unavailable' } } } as unknown as AssetRecord
  expect((await core.liveJobs(record)).derive.state).toBe('running')
  // once the record says done, that is what is answered
  const committed = { ...record, jobs: { ...record.jobs, derive: { state: 'done' } } } as AssetRecord
  expect((await core.liveJobs(committed)).derive.state).toBe('done')
  const failed = await jobs.waitFor((await jobs.enqueue(core.kinds.derive, { id: 'b'.repeat(64), digest: failing }, { key: core.deriveKey(failing) })).id, { timeoutMs: 20_000 })
  expect(failed.state).toBe('failed')
  expect((await core.liveJobs({ ...record, digest: failing } as AssetRecord)).derive.state).toBe('failed')
})
