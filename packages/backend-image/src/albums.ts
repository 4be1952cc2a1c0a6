import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ImageError } from './errors.js'
import { sendEmpty, sendJson } from './http.js'
import { asObject, readJson } from './json-body.js'
import { isAssetId } from './layout.js'
import { parseQuery } from './listing.js'
import { encodeCursor } from './cursor.js'
import type { AlbumRecord, Gallery } from './gallery.js'

const MAX_TITLE = 200
const MAX_ITEMS = 100_000
/** An album PATCH may add or remove about 15 000 ids at once. */
const MAX_ALBUM_BODY = 1024 * 1024

export const albumNotFound = (id: string) => new ImageError('ALBUM_NOT_FOUND', `no album ${id} in this library`)
const invalid = (message: string) => new ImageError('ALBUM_INVALID', message)

/** An album as listed: its items counted and its cover chosen among the items still in the library. */
export function albumView(g: Gallery, album: AlbumRecord): Record<string, unknown> {
  let count = 0
  let cover: string | undefined
  for (let i = album.items.length - 1; i >= 0; i--) {
    if (!g.core.index.get(album.items[i]!)) continue
    count++
    cover ??= album.items[i]
  }
  return { id: album.id, title: album.title, count, ...(cover ? { cover } : {}), createdAt: album.createdAt, createdBy: album.createdBy, updatedAt: album.updatedAt }
}

export async function readAlbum(g: Gallery, id: string): Promise<AlbumRecord> {
  const album = await g.albums.get(id)
  if (!album) throw albumNotFound(id)
  return album
}

/** GET /api/albums: newest change first. */
export async function listAlbums(g: Gallery, res: ServerResponse, headOnly: boolean): Promise<void> {
  await g.core.index.sync()
  const albums = (await g.albums.list()).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1))
  sendJson(res, 200, { albums: albums.map((a) => albumView(g, a)) }, {}, headOnly)
}

/** GET /api/albums/<id>?cursor=&limit=&offset=…: the album and one page of its items (newest first, as /api/assets pages). */
export async function getAlbum(g: Gallery, id: string, url: URL, res: ServerResponse, headOnly: boolean): Promise<void> {
  const album = await readAlbum(g, id)
  const query = parseQuery(url.searchParams)
  await g.core.index.sync()
  const page = g.core.index.query({ ...query, ids: new Set(album.items) })
  sendJson(res, 200, { ...albumView(g, album), items: page.items.map((i) => i.summary), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) }, {}, headOnly)
}

/** POST /api/albums `{ title }`: one commit by the caller. */
export async function createAlbum(g: Gallery, req: IncomingMessage, res: ServerResponse, user: string): Promise<void> {
  const body = asObject(await readJson(req, MAX_ALBUM_BODY), invalid)
  for (const key of Object.keys(body)) if (key !== 'title') throw invalid(`unknown field '${key.slice(0, 40)}': a new album takes a title`)
  const title = parseTitle(body.title)
  const now = new Date(g.now()).toISOString()
  const album: AlbumRecord = { id: randomBytes(12).toString('base64url'), title, items: [], createdAt: now, createdBy: user, updatedAt: now }
  await g.core.store.commit([await g.albums.put(album.id, album)], { author: user, message: `album ${album.id}: create "${title}"` })
  sendJson(res, 201, albumView(g, album), { Location: `/api/albums/${album.id}` })
}

/** PATCH /api/albums/<id> `{ title?, add?, remove? }`: one commit by the caller; added items must be in the library. */
export async function patchAlbum(g: Gallery, id: string, req: IncomingMessage, res: ServerResponse, user: string): Promise<void> {
  const body = asObject(await readJson(req, MAX_ALBUM_BODY), invalid)
  const patch: { title?: string; add?: string[]; remove?: string[] } = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'title') patch.title = parseTitle(value)
    else if (key === 'add' || key === 'remove') patch[key] = parseIds(value, key)
    else throw invalid(`unknown field '${key.slice(0, 40)}': an album takes title, add and remove`)
  }
  if (!patch.title && !patch.add?.length && !patch.remove?.length) throw invalid('nothing to change: send title, add and/or remove')
  await g.core.index.sync()
  const unknown = (patch.add ?? []).filter((a) => !g.core.index.get(a))
  if (unknown.length > 0) {
    throw new ImageError('ALBUM_ITEMS_UNKNOWN', `${unknown.length} of the items to add are not in this library`, { body: { unknown: unknown.slice(0, 100) } })
  }
  const updated = await g.lock.run(id, async () => {
    const current = await readAlbum(g, id)
    const drop = new Set(patch.remove ?? [])
    const items = current.items.filter((i) => !drop.has(i))
    const present = new Set(items)
    for (const a of patch.add ?? []) if (!present.has(a) && !drop.has(a)) (items.push(a), present.add(a))
    if (items.length > MAX_ITEMS) throw invalid(`an album holds at most ${MAX_ITEMS} items`)
    const next: AlbumRecord = { ...current, title: patch.title ?? current.title, items, updatedAt: new Date(g.now()).toISOString() }
    const what = [patch.title ? 'title' : '', patch.add?.length ? `add ${patch.add.length}` : '', patch.remove?.length ? `remove ${patch.remove.length}` : ''].filter(Boolean).join(', ')
    await g.core.store.commit([await g.albums.put(id, next)], { author: user, message: `album ${id}: ${what}` })
    return next
  })
  sendJson(res, 200, albumView(g, updated))
}

/** DELETE /api/albums/<id>: the album and its share links, one commit. Its items stay in the library. */
export async function deleteAlbum(g: Gallery, id: string, res: ServerResponse, user: string): Promise<void> {
  await g.lock.run(id, async () => {
    await readAlbum(g, id)
    const links = (await g.shares.list()).filter((s) => s.album === id)
    await g.core.store.commit([g.albums.delete(id), ...links.map((s) => g.shares.delete(s.id))], { author: user, message: `album ${id}: delete (and ${links.length} share links)` })
  })
  sendEmpty(res, 204)
}

function parseTitle(value: unknown): string {
  if (typeof value !== 'string') throw invalid('title must be a string')
  const title = value.trim()
  if (title === '' || title.length > MAX_TITLE) throw invalid(`title is 1 to ${MAX_TITLE} characters`)
  if (/[\u0000-\u001f\u007f]/.test(title)) throw invalid('title contains control characters')
  return title
}

function parseIds(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_ITEMS) throw invalid(`${name} must be an array of at most ${MAX_ITEMS} item ids`)
  for (const id of value) if (typeof id !== 'string' || !isAssetId(id)) throw invalid(`${name} holds something that is not an item id`)
  return [...new Set(value as string[])]
}
