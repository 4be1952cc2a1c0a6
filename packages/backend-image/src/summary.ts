import type { AssetRecord, JobStateName } from './record.js'
import { takenMs } from './record.js'

/** What a listing shows of one item; kept as the store entry's meta so listing reads no record blobs. */
export interface AssetSummary {
  readonly id: string
  readonly filename: string
  readonly kind: 'image' | 'video'
  readonly mime: string
  readonly size: number
  readonly width: number
  readonly height: number
  readonly durationSeconds?: number
  /** ISO 8601 (UTC) of the sort time: when it was taken, else when it was uploaded. */
  readonly takenAt: string
  readonly caption?: string
  readonly tags: readonly string[]
  readonly placeholder?: string
  /** `<name>.<format>` of every derivative present, e.g. `thumbnail.webp`. */
  readonly derivatives: readonly string[]
  readonly state: JobStateName | 'unavailable'
}

export function summaryOf(record: AssetRecord): AssetSummary {
  const ms = takenMs(record.takenAt) ?? Date.parse(record.uploadedAt)
  return {
    id: record.id,
    filename: record.filename,
    kind: record.kind,
    mime: record.mime,
    size: record.size,
    width: record.width,
    height: record.height,
    ...(record.durationSeconds !== undefined ? { durationSeconds: record.durationSeconds } : {}),
    takenAt: new Date(ms).toISOString(),
    ...(record.caption ? { caption: record.caption } : {}),
    tags: record.tags,
    ...(record.placeholder ? { placeholder: record.placeholder } : {}),
    derivatives: record.derivatives.map((d) => `${d.name}.${d.format}`),
    state: record.jobs.derive.state,
  }
}

/** The summary (plus the visible text, for search) as string-valued entry meta. */
export function summaryMeta(record: AssetRecord): Record<string, string> {
  const s = summaryOf(record)
  const meta: Record<string, string> = {
    mediaType: 'application/json',
    summary: JSON.stringify(s),
  }
  if (record.text) meta.text = record.text
  return meta
}

export function summaryFromMeta(meta: Readonly<Record<string, string>> | undefined): { summary: AssetSummary; text: string } | undefined {
  if (!meta?.summary) return undefined
  try {
    return { summary: JSON.parse(meta.summary) as AssetSummary, text: meta.text ?? '' }
  } catch {
    return undefined
  }
}
