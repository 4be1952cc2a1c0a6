/**
 * LevelDB key layout of one store (all keys are strings):
 *   meta!head                 → seq of HEAD
 *   c!<seq>                   → commit record (JSON)
 *   cid!<commit id>           → seq
 *   t!<path>                  → entry at HEAD (JSON)
 *   h!<path>\0<seq>           → entry as of that commit (JSON), or '' where the commit deleted the path
 *   s!<key>                   → side state value
 * Sequence numbers are zero-padded to 12 digits so lexicographic order is numeric order.
 */
export const HEAD_KEY = 'meta!head'
/** Above every key suffix: U+10FFFF is the largest code point, and UTF-8 order is code point order. */
export const END = '\u{10ffff}'

export const seqKey = (seq: number): string => String(seq).padStart(12, '0')
export const commitKey = (seq: number): string => `c!${seqKey(seq)}`
export const commitIdKey = (id: string): string => `cid!${id}`
export const treeKey = (path: string): string => `t!${path}`
export const historyPrefix = (path: string): string => `h!${path}\u0000`
export const historyKey = (path: string, seq: number): string => `${historyPrefix(path)}${seqKey(seq)}`
export const sideKey = (key: string): string => `s!${key}`

/** Split a history key back into its path and seq. */
export function parseHistoryKey(key: string): { path: string; seq: number } {
  const sep = key.lastIndexOf('\u0000')
  return { path: key.slice(2, sep), seq: Number(key.slice(sep + 1)) }
}

/** Compare as LevelDB does (UTF-8 bytes), which differs from JS string order for astral characters. */
export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** Iterator lower bound for keys `<base><prefix>…` after the key `<base><after>` (exclusive), in LevelDB order. */
export function lowerBound(base: string, prefix: string, after: string | undefined, afterSuffix = ''): { gt: string } | { gte: string } {
  return after !== undefined && utf8Compare(after, prefix) >= 0 ? { gt: base + after + afterSuffix } : { gte: base + prefix }
}
