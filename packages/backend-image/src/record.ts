import type { DerivativeName, MediaInfo } from './media/index.js'

export type JobStateName = 'queued' | 'running' | 'done' | 'failed'

export interface StoredDerivative {
  readonly name: DerivativeName
  readonly format: 'webp' | 'jpeg' | 'avif'
  readonly mime: string
  readonly width: number
  readonly height: number
  readonly digest: string
  readonly size: number
}

export interface WorkState {
  readonly state: JobStateName | 'unavailable'
  readonly attempts?: number
  readonly error?: { readonly code?: string; readonly message: string }
  readonly updatedAt?: string
}

/** One item of the library: what probing found, who uploaded it, what was derived. Stored as JSON. */
export interface AssetRecord extends MediaInfo {
  readonly id: string
  readonly digest: string
  readonly size: number
  readonly filename: string
  readonly uploadedAt: string
  readonly uploadedBy: string
  /** Where `takenAt` came from: the file's own metadata, or the upload time when it has none. */
  readonly takenAtSource: 'metadata' | 'upload'
  readonly caption?: string
  /** Who wrote the caption: a person (PATCH) — kept over the model's — or the captioning model. */
  readonly captionSource?: 'person' | 'model'
  /** Text visible in the image (from captioning). */
  readonly text?: string
  readonly tags: readonly string[]
  /** Set when a writer asks for a new caption: its time, so the new caption job has a key of its own. */
  readonly captionRun?: number
  readonly placeholder?: string
  readonly derivatives: readonly StoredDerivative[]
  readonly jobs: { readonly derive: WorkState; readonly caption: WorkState }
}

/** The MediaInfo of a record (what deriveMedia takes): everything but the library's own fields. */
export function mediaInfoOf(record: AssetRecord): MediaInfo {
  const { id, digest, size, filename, uploadedAt, uploadedBy, takenAtSource, caption, captionSource, text, tags, captionRun, placeholder, derivatives, jobs, ...info } = record
  void [id, digest, size, filename, uploadedAt, uploadedBy, takenAtSource, caption, captionSource, text, tags, captionRun, placeholder, derivatives, jobs]
  return takenAtSource === 'upload' ? (({ takenAt: _t, ...rest }) => rest)(info) : info
}

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** Milliseconds of a record's `takenAt`, which may lack a zone (EXIF local time: read as UTC). */
export function takenMs(takenAt: string | undefined): number | undefined {
  if (takenAt === undefined) return undefined
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(takenAt) || !/T\d/.test(takenAt) ? takenAt : `${takenAt}Z`
  const ms = Date.parse(zoned)
  return Number.isFinite(ms) ? ms : undefined
}
