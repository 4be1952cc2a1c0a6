import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Change } from '@everlock/versioned-storage'
import type { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { sendEmpty, sendJson } from './http.js'
import { readJson } from './json-body.js'
import { derivedPrefix, originalPath, recordPath } from './layout.js'
import { normaliseTags } from './caption-work.js'
import { present } from './present.js'
import type { AssetRecord } from './record.js'

const MAX_PATCH_BYTES = 64 * 1024
const MAX_CAPTION = 2000

export const assetNotFound = (id: string) => new ImageError('ASSET_NOT_FOUND', `no item ${id} in this library`)

export async function readRecord(core: LibraryCore, id: string): Promise<AssetRecord> {
  const record = await core.records.read(id)
  if (!record) throw assetNotFound(id)
  return record
}

/** GET /api/assets/<id> */
export async function getAsset(core: LibraryCore, id: string, res: ServerResponse, headOnly: boolean, opts?: { shared?: boolean }): Promise<void> {
  const shown = await present(core, await readRecord(core, id))
  // Whoever holds a share link sees the item, not who uploaded it.
  if (opts?.shared) delete shown.uploadedBy
  sendJson(res, 200, shown, {}, headOnly)
}

/** PATCH /api/assets/<id>: `{ caption?: string | null, tags?: string[] }`, a commit authored by the caller. */
export async function patchAsset(core: LibraryCore, id: string, req: IncomingMessage, res: ServerResponse, user: string): Promise<void> {
  const patch = parsePatch(await readJson(req, MAX_PATCH_BYTES))
  const updated = await core.records.update(id, { author: user, message: `edit ${id}: ${Object.keys(patch).join(', ')}` }, (current) => {
    const { caption: _drop, captionSource: _source, ...rest } = current
    const next: AssetRecord = {
      ...(patch.caption === undefined ? current : patch.caption === null ? rest : { ...rest, caption: patch.caption, captionSource: 'person' as const }),
      ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
    }
    return { record: next }
  })
  if (!updated) throw assetNotFound(id)
  await core.index.sync()
  sendJson(res, 200, await present(core, updated))
}

/** DELETE /api/assets/<id>: the record, original and derivatives leave the tree (history keeps them). */
export async function deleteAsset(core: LibraryCore, id: string, res: ServerResponse, user: string): Promise<void> {
  const deleted = await core.records.locked(id, async () => {
    const record = await core.records.read(id)
    if (!record) return false
    const changes: Change[] = [{ op: 'delete', path: recordPath(id) }]
    if (await core.store.get(originalPath(id))) changes.push({ op: 'delete', path: originalPath(id) })
    for await (const [path] of core.store.list(derivedPrefix(id))) changes.push({ op: 'delete', path })
    await core.store.commit(changes, { author: user, message: `delete ${record.filename} (${id})` })
    return true
  })
  if (!deleted) throw assetNotFound(id)
  await core.index.sync()
  sendEmpty(res, 204)
}

/** POST /api/assets/<id>/caption: caption again (a new job), when captioning is configured. */
export async function recaption(core: LibraryCore, id: string, res: ServerResponse, user: string): Promise<void> {
  if (!core.describe) throw new ImageError('NOT_FOUND', 'captioning is not configured for this library')
  const run = Date.now()
  const updated = await core.records.update(id, { author: user, message: `caption ${id} again` }, (current) => ({
    record: { ...current, captionRun: run, jobs: { ...current.jobs, caption: { state: 'queued' } } },
  }))
  if (!updated) throw assetNotFound(id)
  await core.startCaption(updated)
  sendJson(res, 202, await present(core, updated))
}

function parsePatch(body: unknown): { caption?: string | null; tags?: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object')
  const out: { caption?: string | null; tags?: string[] } = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'caption') {
      if (value !== null && typeof value !== 'string') throw invalid('caption must be a string or null')
      if (typeof value === 'string' && value.length > MAX_CAPTION) throw invalid(`caption is at most ${MAX_CAPTION} characters`)
      if (typeof value === 'string' && /[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) throw invalid('caption contains control characters')
      out.caption = value === null || value.trim() === '' ? null : value.trim()
    } else if (key === 'tags') {
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw invalid('tags must be an array of strings')
      if (value.length > 64 || value.some((t: string) => t.length > 64 || /[\u0000-\u001f\u007f]/.test(t))) throw invalid('at most 64 tags of at most 64 characters, no control characters')
      out.tags = normaliseTags(value as string[])
    } else {
      throw invalid(`unknown field '${key.slice(0, 40)}': only caption and tags can be changed`)
    }
  }
  if (Object.keys(out).length === 0) throw invalid('nothing to change: send caption and/or tags')
  return out
}

const invalid = (message: string) => new ImageError('RECORD_INVALID', message)
