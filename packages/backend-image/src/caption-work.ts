import type { HandlerContext } from '@everlock/jobs'
import type { Describe, Description, LibraryStore } from './types.js'
import { localFileOf } from './local-file.js'
import type { AssetRecord } from './record.js'
import type { Records } from './records.js'
import { WorkFailure, type DerivePayload } from './derive-work.js'

export const CAPTION_AUTHOR = 'job:caption'
const MAX_CAPTION = 2000
const MAX_TAGS = 64
const MAX_TAG = 64

/** Trimmed caption and text, tags lowercased, trimmed, de-duplicated and bounded. */
export function normaliseDescription(d: Description): { caption: string; text: string; tags: string[] } {
  return {
    caption: String(d.caption ?? '').trim().slice(0, MAX_CAPTION),
    text: String(d.text ?? '').trim().slice(0, MAX_CAPTION),
    tags: normaliseTags(Array.isArray(d.tags) ? d.tags.map(String) : []),
  }
}

export function normaliseTags(tags: readonly string[]): string[] {
  const out = new Set<string>()
  for (const tag of tags) {
    const t = tag.trim().toLowerCase().replace(/\s+/g, ' ')
    if (t !== '' && t.length <= MAX_TAG) out.add(t)
    if (out.size === MAX_TAGS) break
  }
  return [...out]
}

/** The image a model looks at: the JPEG preview when there is one (small, and a frame for videos), else the original. */
function sourceOf(record: AssetRecord): { digest: string; mime: string } | undefined {
  const preview = record.derivatives.find((d) => d.name === 'preview' && d.format === 'jpeg') ?? record.derivatives.find((d) => d.name === 'preview')
  if (preview) return { digest: preview.digest, mime: preview.mime }
  return record.kind === 'image' ? { digest: record.digest, mime: record.mime } : undefined
}

/** The caption job: ask `describe`, merge its tags with the ones people gave, commit authored by the job. */
export function captionHandler(store: LibraryStore, records: Records, describe: Describe) {
  return async (ctx: HandlerContext<DerivePayload>): Promise<{ tags: number }> => {
    const record = await records.read(ctx.payload.id)
    if (!record) throw new WorkFailure('ASSET_GONE', 'the item was deleted before it was captioned')
    const source = sourceOf(record)
    if (!source) throw new WorkFailure('MEDIA_UNSUPPORTED', 'nothing to caption: the video has no preview frame')
    const local = await localFileOf(store, source.digest, ctx.signal)
    let described
    try {
      described = normaliseDescription(await describe({ path: local.path, mime: source.mime }, { signal: ctx.signal }))
    } finally {
      await local.release()
    }
    const updated = await records.update(record.id, { author: CAPTION_AUTHOR, message: `caption ${record.id}` }, (current) => ({
      record: {
        ...current,
        ...(current.captionSource === 'person' ? {} : { caption: described.caption, captionSource: 'model' as const }),
        text: described.text,
        tags: normaliseTags([...current.tags, ...described.tags]),
        jobs: { ...current.jobs, caption: { state: 'done', attempts: ctx.attempt, updatedAt: new Date().toISOString() } },
      },
    }))
    return { tags: updated?.tags.length ?? 0 }
  }
}
