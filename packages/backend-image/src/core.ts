import type { JobStatus } from '@everlock/jobs'
import type { Describe, LibraryJobs, LibraryStore, LogFn, SendFile } from './types.js'
import { AssetIndex } from './asset-index.js'
import { Records } from './records.js'
import { jobKey, jobKind } from './job-kinds.js'
import { applyDerived, type DerivePayload, type DeriveResult } from './derive-work.js'
import type { AssetRecord, WorkState } from './record.js'

export interface Limits {
  readonly maxUploadBytes: number
  readonly maxPixels: number | undefined
  readonly maxFilesPerUpload: number
}

/** The state one library shares between its requests and its jobs. */
export class LibraryCore {
  readonly index: AssetIndex
  readonly records: Records
  readonly kinds: { readonly derive: string; readonly caption: string }

  constructor(
    readonly store: LibraryStore,
    readonly jobs: LibraryJobs,
    readonly limits: Limits,
    readonly log: LogFn,
    readonly describe: Describe | undefined,
    readonly sendFile: SendFile | undefined,
    readonly redirectOriginals?: { readonly expiresInSeconds: number },
  ) {
    this.index = new AssetIndex(store)
    this.records = new Records(store)
    this.kinds = { derive: jobKind('derive', store.name), caption: jobKind('caption', store.name) }
  }

  deriveKey(digest: string): string {
    return jobKey(this.kinds.derive, digest)
  }

  /** One caption job per upload of an item, and one per re-caption asked for (`captionRun`). */
  captionKey(record: Pick<AssetRecord, 'digest' | 'uploadedAt' | 'captionRun'>): string {
    return `${jobKey(this.kinds.caption, record.digest)}:${Date.parse(record.uploadedAt)}${record.captionRun ? `:${record.captionRun}` : ''}`
  }

  /**
   * Make sure an item's derived work is under way: one job per content digest. The same bytes uploaded again
   * after a delete reuse a finished job's derivatives; a failed one is run again.
   */
  async startDerive(record: Pick<AssetRecord, 'id' | 'digest'>): Promise<void> {
    const payload: DerivePayload = { id: record.id, digest: record.digest }
    const job = await this.jobs.enqueue(this.kinds.derive, payload, { key: this.deriveKey(record.digest) })
    if (job.state === 'failed') await this.jobs.retry(job.id)
    if (job.state !== 'done') return
    const result = job.result as DeriveResult | undefined
    const present = result && (await Promise.all(result.derivatives.map((d) => this.store.statBlob(d.digest)))).every(Boolean)
    const updated = result && present ? await applyDerived(this.store, this.records, record.id, result, job.attempts) : undefined
    if (updated) await this.startCaption(updated)
  }

  /** After derivatives: the caption job, when a captioning function is configured. */
  async startCaption(record: Pick<AssetRecord, 'id' | 'digest' | 'uploadedAt' | 'captionRun'>): Promise<void> {
    if (!this.describe) return
    await this.jobs.enqueue(this.kinds.caption, { id: record.id, digest: record.digest }, { key: this.captionKey(record) })
  }

  /** A record's work states, with the live queue state for work not yet final. */
  async liveJobs(record: AssetRecord): Promise<AssetRecord['jobs']> {
    const live = async (state: WorkState, key: string): Promise<WorkState> => {
      if (state.state !== 'queued' && state.state !== 'running') return state
      const job = await this.jobs.getByKey(key)
      if (!job) return state
      const live = workStateOf(job)
      // A job's results reach the record in a commit: until the record shows them the work is not done, so a
      // client never sees `done` next to missing derivatives or caption (and stops polling too early).
      return live.state === 'done' ? { ...live, state: 'running' } : live
    }
    return {
      derive: await live(record.jobs.derive, this.deriveKey(record.digest)),
      caption: await live(record.jobs.caption, this.captionKey(record)),
    }
  }
}

export function workStateOf(job: JobStatus): WorkState {
  return {
    state: job.state,
    attempts: job.attempts,
    updatedAt: job.updatedAt,
    ...(job.lastError ? { error: { ...(job.lastError.code ? { code: job.lastError.code } : {}), message: job.lastError.message } } : {}),
  }
}
