import { createHash } from 'node:crypto'
import type { HandleOptions, JobHandler } from '@everlock/jobs'
import type { LibraryJobs } from './types.js'
import { ImageError } from './errors.js'

/**
 * Job kinds are global to a queue, and one queue may serve many libraries: each kind names its store (hashed
 * when the name would make the kind too long).
 */
export function jobKind(work: 'derive' | 'caption', storeName: string): string {
  const kind = `image/${work}/${storeName}`
  return kind.length <= 64 ? kind : `image/${work}/${createHash('sha256').update(storeName).digest('hex').slice(0, 32)}`
}

export const jobKey = (kind: string, digest: string) => `${kind}:${digest}`

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are checked by each handler
type AnyHandler = JobHandler<any, unknown>
/** Handlers attached for one kind, latest last: two libraries over one store share its kinds. */
type Slot = { handlers: AnyHandler[] }
const slots = new WeakMap<LibraryJobs, Map<string, Slot>>()

/**
 * Register `handler` for `kind` on the queue. The queue keeps one handler per kind for its lifetime; a library
 * made again over the same store (an instance deleted and re-created, or a second instance on one store) attaches
 * to the same slot, and the latest attached serves. Returns the detach function; jobs that come due while
 * nothing is attached fail their attempt and retry.
 */
export function attachHandler(jobs: LibraryJobs, kind: string, handler: AnyHandler, opts: HandleOptions): () => void {
  let byKind = slots.get(jobs)
  if (!byKind) slots.set(jobs, (byKind = new Map()))
  let slot = byKind.get(kind)
  if (!slot) {
    const created: Slot = { handlers: [] }
    byKind.set(kind, (slot = created))
    jobs.handle(kind, (ctx) => {
      const current = created.handlers[created.handlers.length - 1]
      if (!current) throw new ImageError('LIBRARY_CLOSED', `no library serves ${kind} at the moment`)
      return current(ctx)
    }, opts)
  }
  const mine = slot
  mine.handlers.push(handler)
  return () => {
    const at = mine.handlers.lastIndexOf(handler)
    if (at >= 0) mine.handlers.splice(at, 1)
  }
}
