import { Readable } from 'node:stream'
import type { Change } from '@everlock/versioned-storage'
import type { HandlerContext, JobStatus } from '@everlock/jobs'
import type { LibraryStore } from './types.js'
import { deriveMedia, type DerivativeSpec } from './media/index.js'
import { localFileOf } from './local-file.js'
import { derivedPath, derivedPrefix } from './layout.js'
import { mediaInfoOf, type AssetRecord, type StoredDerivative } from './record.js'
import type { Records } from './records.js'

export const DERIVE_AUTHOR = 'job:derive'

export interface DerivePayload {
  readonly id: string
  readonly digest: string
}

export interface DeriveResult {
  readonly placeholder: string
  readonly derivatives: StoredDerivative[]
}

/** Decoding problems of the file itself: retrying cannot help, so the job fails at once. */
const PERMANENT = new Set(['MEDIA_UNSUPPORTED', 'MEDIA_CORRUPT', 'MEDIA_TOO_LARGE', 'ASSET_GONE'])

export class WorkFailure extends Error {
  override readonly name = 'WorkFailure'
  readonly retryable: boolean
  constructor(readonly code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.retryable = !PERMANENT.has(code)
  }
}

/** Turn a thrown error into one the queue records with its code, permanent where retrying cannot help. */
export function asWorkFailure(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && PERMANENT.has(code)) return new WorkFailure(code, (err as Error).message, err)
  return err
}

/** The derive job: decode the original once, put every derivative as a blob, commit them into the record. */
export function deriveHandler(
  store: LibraryStore,
  records: Records,
  maxPixels: number | undefined,
  specsFor: (record: AssetRecord) => readonly DerivativeSpec[],
  afterDerived: (record: AssetRecord) => Promise<void>,
) {
  return async (ctx: HandlerContext<DerivePayload>): Promise<DeriveResult> => {
    const record = await records.read(ctx.payload.id)
    if (!record) throw new WorkFailure('ASSET_GONE', 'the item was deleted before its derivatives were made')
    const local = await localFileOf(store, ctx.payload.digest, ctx.signal)
    let derived
    try {
      derived = await deriveMedia(local.path, mediaInfoOf(record), specsFor(record), { signal: ctx.signal, ...(maxPixels === undefined ? {} : { maxPixels }) })
    } catch (err) {
      throw asWorkFailure(err)
    } finally {
      await local.release()
    }
    const derivatives: StoredDerivative[] = []
    for (const d of derived.derivatives) {
      const blob = await store.putBlob(Readable.from([d.bytes]))
      derivatives.push({ name: d.name, format: d.format, mime: d.mime, width: d.width, height: d.height, digest: blob.digest, size: blob.size })
    }
    const result = { placeholder: derived.placeholder, derivatives }
    const updated = await applyDerived(store, records, ctx.payload.id, result, ctx.attempt)
    if (updated) await afterDerived(updated)
    return result
  }
}

/** Commit a derive result into the item's record (and its derivatives into the tree), authored by the job. */
export async function applyDerived(store: LibraryStore, records: Records, id: string, result: DeriveResult, attempts: number): Promise<AssetRecord | undefined> {
  return records.update(id, { author: DERIVE_AUTHOR, message: `derive ${id}: ${result.derivatives.map((d) => `${d.name}.${d.format}`).join(', ')}` }, async (current) => {
    const wanted = new Set(result.derivatives.map((d) => derivedPath(id, d.name, d.format)))
    const extra: Change[] = result.derivatives.map((d) => ({ op: 'put', path: derivedPath(id, d.name, d.format), digest: d.digest, size: d.size, meta: { mediaType: d.mime } }))
    for await (const [path] of store.list(derivedPrefix(id))) if (!wanted.has(path)) extra.push({ op: 'delete', path })
    const record: AssetRecord = {
      ...current,
      placeholder: result.placeholder,
      derivatives: result.derivatives,
      jobs: { ...current.jobs, derive: { state: 'done', attempts, updatedAt: new Date().toISOString() } },
    }
    return { record, extra }
  })
}

/** A job that ended failed: its reason goes into the record (authored by the job). */
export function recordFailure(records: Records, work: 'derive' | 'caption', job: JobStatus, author: string): Promise<AssetRecord | undefined> {
  const id = (job.payload as DerivePayload).id
  return records.update(id, { author, message: `${work} ${id} failed: ${job.lastError?.code ?? 'ERROR'}` }, (current) => ({
    record: {
      ...current,
      jobs: {
        ...current.jobs,
        [work]: { state: 'failed', attempts: job.attempts, updatedAt: job.updatedAt, error: { ...(job.lastError?.code ? { code: job.lastError.code } : {}), message: job.lastError?.message ?? 'failed' } },
      },
    },
  }))
}
