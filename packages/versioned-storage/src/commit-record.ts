import { createHash } from 'node:crypto'
import type { Change, Commit } from './types'

/** What is kept in LevelDB for a commit: the public fields plus the changes, from which the id is derived. */
export interface CommitRecord extends Commit {
  readonly changes: readonly Change[]
}

/** The content id: sha256 over the canonical JSON of everything but the id itself. */
export function commitIdOf(record: Omit<CommitRecord, 'id'>): string {
  const canonical = JSON.stringify([
    record.parent,
    record.seq,
    record.author,
    record.message,
    record.time,
    record.changes.map((c) => (c.op === 'put' ? ['put', c.path, c.digest, c.size, sortedMeta(c.meta)] : ['delete', c.path])),
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

export function publicCommit(record: CommitRecord): Commit {
  const { changes: _changes, ...commit } = record
  return commit
}

function sortedMeta(meta: Record<string, string> | undefined): Array<[string, string]> | null {
  return meta ? Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null
}
