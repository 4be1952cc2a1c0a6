import type { ResumableBlobs } from './types'
import type { UploadBytes } from './upload-bytes'

/**
 * Uploads whose bytes the driver keeps (`BlobDriver.resumable`): in the bucket as they arrive, nothing on the
 * local disk. The record's `session` is the driver's state; the record's size is the acknowledged size.
 */
export function uploadsInBucket(resumable: ResumableBlobs): UploadBytes {
  return {
    create: async () => ({ in: 'bucket' }),
    shownSize: async (_id, rec) => rec.size ?? 0,
    acknowledged: async (_id, rec) => ({ size: rec.size ?? 0, cut: false }),
    async append(id, rec, _before, body, onChunk) {
      const session = await resumable.append(id, rec.session, body, onChunk)
      return { size: session.size, session }
    },
    finish: (id, rec, _size, digest) => resumable.finish(id, rec.session, digest === undefined ? {} : { digest }),
    remove: (id, rec) => resumable.cancel(id, rec.session),
    tidy: (id, rec) => resumable.prune(id, rec.session),
    async *orphans(recorded) {
      for await (const left of resumable.leftovers()) {
        if (!(await recorded(left.id))) yield { name: left.id, size: left.size, modifiedAt: left.modifiedAt }
      }
    },
    async removeOrphan(orphan) {
      await resumable.cancel(orphan.name, undefined)
    },
  }
}
