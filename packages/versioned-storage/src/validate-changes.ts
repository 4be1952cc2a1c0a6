import type { Change } from './types'
import { StorageError } from './errors'
import { assertDigest } from './digest'
import { assertPath } from './paths'

/** Validate and normalise a commit's changes; the last change to a path wins. */
export function normaliseChanges(changes: readonly Change[]): Change[] {
  if (!Array.isArray(changes)) throw new StorageError('CHANGE_INVALID', 'changes must be an array')
  const byPath = new Map<string, Change>()
  for (const change of changes) {
    if (!change || (change.op !== 'put' && change.op !== 'delete')) {
      throw new StorageError('CHANGE_INVALID', "each change must have op 'put' or 'delete'")
    }
    assertPath(change.path)
    if (change.op === 'put') {
      assertDigest(change.digest)
      if (!Number.isSafeInteger(change.size) || change.size < 0) {
        throw new StorageError('CHANGE_INVALID', `put of '${change.path}' needs a non-negative integer size`)
      }
      if (change.meta !== undefined) assertMeta(change.path, change.meta)
      byPath.set(change.path, { op: 'put', path: change.path, digest: change.digest, size: change.size, ...(change.meta ? { meta: { ...change.meta } } : {}) })
    } else {
      byPath.set(change.path, { op: 'delete', path: change.path })
    }
  }
  return [...byPath.values()]
}

export function assertCommitMeta(meta: { author: string; message: string }): void {
  if (!meta || typeof meta.author !== 'string' || meta.author.trim() === '' || meta.author.length > 256) {
    throw new StorageError('AUTHOR_INVALID', 'a commit needs an author (1-256 characters)')
  }
  if (typeof meta.message !== 'string') throw new StorageError('CHANGE_INVALID', 'a commit message must be a string')
}

function assertMeta(path: string, meta: Record<string, string>): void {
  if (typeof meta !== 'object' || meta === null) throw new StorageError('CHANGE_INVALID', `meta of '${path}' must be an object`)
  for (const value of Object.values(meta)) {
    if (typeof value !== 'string') throw new StorageError('CHANGE_INVALID', `meta values of '${path}' must be strings`)
  }
}
