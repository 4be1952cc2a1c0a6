import type { BlobRef } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'
import { probeMedia, type MediaInfo } from './media/index.js'
import { localFileOf } from './local-file.js'
import { idOfDigest, originalPath, recordPath } from './layout.js'
import { dropUndefined, takenMs, type AssetRecord } from './record.js'

const REFUSED = new Set(['MEDIA_UNSUPPORTED', 'MEDIA_CORRUPT', 'MEDIA_TOO_LARGE'])

/**
 * What a received blob is (probed by content). A refused file's bytes are removed again unless an item of the
 * library already holds them, so refusals leave nothing behind.
 */
export async function probeBlob(store: LibraryStore, blob: BlobRef, maxPixels: number | undefined): Promise<MediaInfo> {
  const local = await localFileOf(store, blob.digest)
  let failure: unknown
  try {
    return await probeMedia(local.path, maxPixels === undefined ? {} : { maxPixels })
  } catch (err) {
    failure = err
  } finally {
    await local.release()
  }
  const code = (failure as { code?: unknown }).code
  if (typeof code === 'string' && REFUSED.has(code) && !(await store.get(recordPath(idOfDigest(blob.digest))))) {
    await store.deleteBlob(blob.digest)
  }
  throw failure
}

export function newRecord(blob: BlobRef, info: MediaInfo, filename: string, user: string, captions: boolean): AssetRecord {
  const uploadedAt = new Date().toISOString()
  const taken = takenMs(info.takenAt) !== undefined
  return dropUndefined({
    ...info,
    takenAt: taken ? info.takenAt : uploadedAt,
    takenAtSource: taken ? 'metadata' : 'upload',
    id: idOfDigest(blob.digest),
    digest: blob.digest,
    size: blob.size,
    filename,
    uploadedAt,
    uploadedBy: user,
    tags: [],
    derivatives: [],
    jobs: { derive: { state: 'queued' }, caption: { state: captions ? 'queued' : 'unavailable' } },
  }) as AssetRecord
}

/** The tree entry that keeps an item's original bytes referenced (and its type) next to its record. */
export function originalChange(record: AssetRecord) {
  return { op: 'put' as const, path: originalPath(record.id), digest: record.digest, size: record.size, meta: { mediaType: record.mime } }
}
