import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Change } from '@everlock/versioned-storage'
import type { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { checkFilename, filenameFromHeaders } from './filename.js'
import { contentLength, mediaType, sendJson } from './http.js'
import { receiveBlob, tooLarge } from './receive.js'
import { receiveMultipart, type Received } from './multipart.js'
import { newRecord, originalChange, probeBlob } from './admit.js'
import { idOfDigest, recordPath } from './layout.js'
import type { AssetRecord } from './record.js'
import { toHttpError } from './http-errors.js'
import { present } from './present.js'

type Outcome =
  | { readonly filename: string; readonly status: 200 | 201; record: AssetRecord }
  | { readonly filename: string; readonly error: unknown }

const UPLOAD_LOCK = 'upload'

/** POST /api/assets: one raw file, or several as multipart/form-data; one commit for the whole upload. */
export async function upload(core: LibraryCore, req: IncomingMessage, res: ServerResponse, user: string): Promise<void> {
  // Any other Content-Type is a raw body (curl --data-binary sends form-urlencoded): the content decides.
  const type = mediaType(req)
  const { maxUploadBytes, maxFilesPerUpload } = core.limits
  let received: Received[]
  if (type === 'multipart/form-data') {
    received = await receiveMultipart(req, core.store, maxUploadBytes, maxFilesPerUpload)
  } else {
    const filename = checkFilename(filenameFromHeaders(req.headers))
    if ((contentLength(req) ?? 0) > maxUploadBytes) throw tooLarge(maxUploadBytes)
    received = [{ filename, blob: await receiveBlob(core.store, req, maxUploadBytes) }]
  }
  const outcomes = await commitUpload(core, await Promise.all(received.map((r) => admit(core, r, user))), user)
  if (type !== 'multipart/form-data') {
    const only = outcomes[0]!
    if ('error' in only) throw only.error
    sendJson(res, only.status, await present(core, only.record))
    return
  }
  const items = await Promise.all(outcomes.map((o) => itemOf(core, o)))
  const statuses = new Set(items.map((i) => i.status))
  sendJson(res, statuses.size === 1 ? items[0]!.status : 207, { items })
}

/** Probe a received file, or find the item that already holds the same bytes. */
async function admit(core: LibraryCore, received: Received, user: string): Promise<Outcome> {
  if ('error' in received) return received
  const { filename, blob } = received
  try {
    if (blob.size === 0) {
      await core.store.deleteBlob(blob.digest) // no item is ever empty, so nothing else holds these bytes
      throw new ImageError('EMPTY_FILE', 'the file is empty')
    }
    const existing = await core.records.read(idOfDigest(blob.digest))
    if (existing) return { filename, status: 200, record: existing }
    const info = await probeBlob(core.store, blob, core.limits.maxPixels)
    return { filename, status: 201, record: newRecord(blob, info, filename, user, core.describe !== undefined) }
  } catch (error) {
    return { filename, error }
  }
}

/** Commit every new item of the upload at once (authored by the uploader), then start their derived work. */
async function commitUpload(core: LibraryCore, outcomes: Outcome[], user: string): Promise<Outcome[]> {
  const fresh = await core.records.locked(UPLOAD_LOCK, async () => {
    const changes: Change[] = []
    const created = new Map<string, AssetRecord>()
    for (const [i, o] of outcomes.entries()) {
      if ('error' in o || o.status !== 201) continue
      const already = created.get(o.record.id) ?? (await core.store.get(recordPath(o.record.id)) ? await core.records.read(o.record.id) : undefined)
      if (already) {
        outcomes[i] = { filename: o.filename, status: 200, record: already }
        continue
      }
      created.set(o.record.id, o.record)
      changes.push(originalChange(o.record), await core.records.put(o.record))
    }
    if (changes.length > 0) {
      const names = [...created.values()].map((r) => r.filename)
      await core.store.commit(changes, { author: user, message: `upload ${names.length === 1 ? names[0] : `${names.length} files`}` })
    }
    return [...created.values()]
  })
  await core.index.sync()
  for (const record of fresh) {
    // The item is committed; if the queue is unavailable now, the library re-enqueues queued items when it next opens.
    await core.startDerive(record).catch((err: unknown) => core.log(`could not enqueue the derived work of ${record.id}`, err))
  }
  return outcomes
}

async function itemOf(core: LibraryCore, o: Outcome): Promise<Record<string, unknown> & { status: number }> {
  if (!('error' in o)) return { status: o.status, filename: o.filename, asset: await present(core, o.record) }
  const http = toHttpError(o.error)
  if (!http) throw o.error
  return { status: http.status, filename: o.filename, error: { code: http.code, message: http.message } }
}
