import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ImageError } from './errors.js'
import { sendEmpty, sendJson } from './http.js'
import { asObject, readJson } from './json-body.js'
import { isAssetId } from './layout.js'
import { ALBUM_ID } from './routes.js'
import { assetNotFound } from './item.js'
import { albumNotFound } from './albums.js'
import type { Gallery, ShareRecord } from './gallery.js'

const TOKEN = /^[A-Za-z0-9_-]{43}$/
const MAX_SHARE_BODY = 4096
const invalid = (message: string) => new ImageError('SHARE_INVALID', message)
const notFound = () => new ImageError('SHARE_NOT_FOUND', 'this share link does not exist or was revoked')

export const shareIdOf = (token: string) => createHash('sha256').update(token).digest('hex')

/** What a share token opens: the items it may read, and what `GET /api/share` tells about it. */
export interface ShareAccess {
  readonly share: ShareRecord
  readonly items: ReadonlySet<string>
  readonly title?: string
}

/** The share token of a request: header `X-Share-Token`, else query `share` (for `<img>`/`<video>` URLs). */
export function shareTokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-share-token']
  if (typeof header === 'string') return header
  return url.searchParams.get('share') ?? undefined
}

/** Unknown, malformed or revoked → SHARE_NOT_FOUND; past its expiry → SHARE_EXPIRED; a shared album since deleted → SHARE_NOT_FOUND. */
export async function openShare(g: Gallery, token: string): Promise<ShareAccess> {
  if (!TOKEN.test(token)) throw notFound()
  const share = await g.shares.get(shareIdOf(token))
  if (!share) throw notFound()
  if (share.expiresAt && Date.parse(share.expiresAt) <= g.now()) throw new ImageError('SHARE_EXPIRED', 'this share link has expired')
  if (share.asset) return { share, items: new Set([share.asset]) }
  const album = await g.albums.get(share.album!)
  if (!album) throw notFound()
  return { share, items: new Set(album.items), title: album.title }
}

/** GET /api/share: what the link shows. */
export function describeShare(g: Gallery, access: ShareAccess, res: ServerResponse, headOnly: boolean): void {
  const { share } = access
  const count = [...access.items].filter((id) => g.core.index.get(id)).length
  sendJson(
    res,
    200,
    {
      kind: share.album ? 'album' : 'asset',
      ...(share.album ? { album: share.album, title: access.title, count } : { asset: share.asset }),
      ...(share.expiresAt ? { expiresAt: share.expiresAt } : {}),
    },
    {},
    headOnly,
  )
}

/** POST /api/shares `{ album? | asset?, expiresAt? }` → 201 with the token (shown this once; stored only hashed). */
export async function createShare(g: Gallery, req: IncomingMessage, res: ServerResponse, user: string): Promise<void> {
  const body = asObject(await readJson(req, MAX_SHARE_BODY), invalid)
  for (const key of Object.keys(body)) if (!['album', 'asset', 'expiresAt'].includes(key)) throw invalid(`unknown field '${key.slice(0, 40)}': a share takes album or asset, and expiresAt`)
  const { album, asset } = body
  if ((album === undefined) === (asset === undefined)) throw invalid('share either an album or an asset')
  if (album !== undefined && (typeof album !== 'string' || !ALBUM_ID.test(album))) throw invalid('album is not an album id')
  if (asset !== undefined && (typeof asset !== 'string' || !isAssetId(asset))) throw invalid('asset is not an item id')
  let expiresAt: string | undefined
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    const ms = typeof body.expiresAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(body.expiresAt) ? Date.parse(body.expiresAt) : NaN
    if (!Number.isFinite(ms)) throw invalid('expiresAt must be an ISO 8601 date-time')
    if (ms <= g.now()) throw invalid('expiresAt must be in the future')
    expiresAt = new Date(ms).toISOString()
  }
  const token = randomBytes(32).toString('base64url')
  const share: ShareRecord = {
    id: shareIdOf(token),
    ...(album !== undefined ? { album: album as string } : { asset: asset as string }),
    ...(expiresAt ? { expiresAt } : {}),
    createdBy: user,
    createdAt: new Date(g.now()).toISOString(),
  }
  await g.lock.run((album as string | undefined) ?? (asset as string), async () => {
    if (album !== undefined && !(await g.albums.get(album as string))) throw albumNotFound(album as string)
    if (asset !== undefined) {
      await g.core.index.sync()
      if (!g.core.index.get(asset as string)) throw assetNotFound(asset as string)
    }
    await g.core.store.commit([await g.shares.put(share.id, share)], { author: user, message: `share ${share.album ? `album ${share.album}` : `item ${share.asset}`}${expiresAt ? ` until ${expiresAt}` : ''}` })
  })
  sendJson(res, 201, { ...shareView(g, share), token, url: `${g.publicUrl}/s/${token}` }, { Location: `/api/shares/${share.id}` })
}

/** GET /api/shares: every link (never their tokens), newest first. */
export async function listShares(g: Gallery, res: ServerResponse, headOnly: boolean): Promise<void> {
  const shares = (await g.shares.list()).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
  sendJson(res, 200, { shares: shares.map((s) => shareView(g, s)) }, {}, headOnly)
}

/** DELETE /api/shares/<id>: revoke (the link answers 404 from now on). */
export async function revokeShare(g: Gallery, id: string, res: ServerResponse, user: string): Promise<void> {
  await g.lock.run(`share:${id}`, async () => {
    if (!(await g.shares.get(id))) throw notFound()
    await g.core.store.commit([g.shares.delete(id)], { author: user, message: `revoke share ${id.slice(0, 12)}` })
  })
  sendEmpty(res, 204)
}

function shareView(g: Gallery, share: ShareRecord): Record<string, unknown> {
  return { ...share, expired: share.expiresAt !== undefined && Date.parse(share.expiresAt) <= g.now() }
}
