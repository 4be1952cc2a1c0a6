import type { ServerResponse } from 'node:http'
import type { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { sendJson } from './http.js'
import type { Query } from './asset-index.js'

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 500
const MAX_WORDS = 10

const MAX_OFFSET = 10_000_000

/**
 * GET /api/assets: newest first by date taken, filtered, one page and the cursor of the next. `scope` limits
 * it to a set of items (an album shared by link).
 */
export async function listAssets(core: LibraryCore, url: URL, res: ServerResponse, headOnly: boolean, scope?: ReadonlySet<string>): Promise<void> {
  const query = parseQuery(url.searchParams)
  await core.index.sync()
  const page = core.index.query(scope ? { ...query, ids: scope } : query)
  const body = { items: page.items.map((i) => i.summary), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) }
  sendJson(res, 200, body, {}, headOnly)
}

export function parseQuery(params: URLSearchParams): Query {
  const limitRaw = params.get('limit')
  if (limitRaw !== null && !/^\d{1,4}$/.test(limitRaw)) throw bad('limit must be a whole number')
  const limit = limitRaw === null ? DEFAULT_LIMIT : Math.min(Math.max(Number(limitRaw), 1), MAX_LIMIT)
  const cursor = params.get('cursor')
  const type = params.get('type')
  if (type !== null && type !== 'image' && type !== 'video') throw bad("type is 'image' or 'video'")
  const q = params.get('q')
  if (q !== null && q.length > 200) throw bad('q is at most 200 characters')
  const words = q?.toLowerCase().replace(/[\u0000-\u001f\u007f]/g, ' ').split(/\s+/).filter(Boolean).slice(0, MAX_WORDS)
  const month = params.get('month')
  const offsetRaw = params.get('offset')
  if (offsetRaw !== null && (!/^\d{1,8}$/.test(offsetRaw) || Number(offsetRaw) > MAX_OFFSET)) throw bad(`offset must be a whole number up to ${MAX_OFFSET}`)
  if (offsetRaw !== null && cursor) throw bad('send offset or cursor, not both')
  let fromMs = time(params.get('from'), 'from', 'start')
  let toMs = time(params.get('to'), 'to', 'end')
  if (month !== null) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw bad('month must be YYYY-MM')
    if (fromMs !== undefined || toMs !== undefined) throw bad('send month or from/to, not both')
    fromMs = time(month, 'month', 'start')
    toMs = time(month, 'month', 'end')
  }
  return {
    limit,
    ...(offsetRaw !== null && Number(offsetRaw) > 0 ? { offset: Number(offsetRaw) } : {}),
    ...(cursor ? { after: decodeCursor(cursor) } : {}),
    ...(type ? { kind: type } : {}),
    ...(words && words.length > 0 ? { words } : {}),
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
  }
}

/** An ISO 8601 date or date-time (a plain date covers its whole day, UTC), or epoch milliseconds. */
function time(raw: string | null, name: string, edge: 'start' | 'end'): number | undefined {
  if (raw === null || raw === '') return undefined
  if (/^\d{1,15}$/.test(raw)) return Number(raw)
  if (!/^\d{4}-\d\d(-\d\d)?([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(raw)) throw bad(`${name} must be an ISO 8601 date or epoch milliseconds`)
  const dateOnly = /^\d{4}-\d\d(-\d\d)?$/.test(raw)
  const ms = Date.parse(dateOnly || /Z|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`)
  if (!Number.isFinite(ms)) throw bad(`${name} is not a valid date`)
  if (!dateOnly || edge === 'start') return ms
  const end = new Date(ms)
  if (raw.length === 7) end.setUTCMonth(end.getUTCMonth() + 1)
  else end.setUTCDate(end.getUTCDate() + 1)
  return end.getTime() - 1
}

/** GET /api/timeline: the months holding items, newest first, with their counts. */
export async function timeline(core: LibraryCore, res: ServerResponse, headOnly: boolean): Promise<void> {
  await core.index.sync()
  sendJson(res, 200, { months: core.index.timeline(), total: core.index.size }, {}, headOnly)
}

const bad = (message: string) => new ImageError('BAD_REQUEST', message)
