import type { ByteRange } from './types'
import { StorageError } from './errors'

/** Validate a byte range against a blob size; returns inclusive [start, end] clamped to the blob. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start } = range
  const end = range.end ?? size - 1
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(end) || end < start) {
    throw new StorageError('RANGE_INVALID', `invalid byte range ${start}-${range.end ?? ''}`)
  }
  if (start >= size) {
    throw new StorageError('RANGE_INVALID', `range start ${start} is beyond the blob's ${size} bytes`)
  }
  return { start, end: Math.min(end, size - 1) }
}
