import { ImageError } from './errors.js'
import { isAssetId } from './layout.js'
import type { Position } from './asset-index.js'

/** Opaque to clients: the (sort time, id) of the last item of a page, so new uploads never shift later pages. */
export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.ms}.${p.id}`).toString('base64url')
}

export function decodeCursor(raw: string): Position {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(raw) ? Buffer.from(raw, 'base64url').toString() : ''
  const m = /^(-?\d{1,16})\.([0-9a-f]{64})$/.exec(text)
  if (!m || !isAssetId(m[2]!)) throw new ImageError('CURSOR_INVALID', 'the cursor is not one this library handed out')
  return { ms: Number(m[1]), id: m[2]! }
}
