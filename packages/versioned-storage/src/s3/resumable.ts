import type { ResumableBlobs } from '../types'
import type { S3Context } from './context'
import { asBackendFailure } from './failures'
import { appendToSession } from './upload-append'
import { cancelSession, finishSession, pruneSession } from './upload-finish'
import { bucketSession, uploadLeftovers } from './upload-session'

type Guard = <T>(op: string, what: string | undefined, work: () => Promise<T>) => Promise<T>

/**
 * Resumable uploads kept in the bucket under `<prefix>uploads/<id>/`: chunks of any size in, parts of exactly
 * `partSize` out, the state (parts, tail segments) in the caller's record.
 */
export function s3Resumable(ctx: S3Context, guard: Guard): ResumableBlobs {
  const of = (id: string): string => `upload ${id}`
  return {
    append: (id, session, body, onChunk) => guard('append', of(id), () => appendToSession(ctx, id, bucketSession(session), body, onChunk)),
    finish: (id, session, known) => guard('finish', of(id), () => finishSession(ctx, id, bucketSession(session), known)),
    cancel: (id, session) => guard('cancel', of(id), () => cancelSession(ctx, id, session === undefined ? undefined : bucketSession(session))),
    prune: (id, session) => guard('prune', of(id), () => pruneSession(ctx, id, bucketSession(session))),
    async *leftovers() {
      try {
        yield* uploadLeftovers(ctx)
      } catch (err) {
        throw asBackendFailure(err, `S3 listing of uploads in bucket '${ctx.bucket}'`)
      }
    },
  }
}
