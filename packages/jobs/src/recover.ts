import type { JobDb } from './job-db.js'
import { failed, retried } from './transitions.js'
import type { JobError } from './types.js'

/** Jobs a dead process left `running` are queued again in their old place in line (the interrupted attempt
 *  counts); one that has used all its attempts fails with INTERRUPTED. */
export async function recover(db: JobDb, now: number, error: JobError): Promise<number> {
  const ids: string[] = []
  for await (const id of db.idsIn('running', { reverse: false })) ids.push(id)
  for (const id of ids) {
    const job = await db.get(id)
    if (!job) continue
    await db.update(job, job.attempts >= job.maxAttempts ? failed(job, error, now) : retried(job, error, Math.min(now, Date.parse(job.runAt)), now))
  }
  return ids.length
}
