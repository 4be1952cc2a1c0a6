// Albums and share links over a real store, authorized by real auth-grants behind the real frontend (Basic users).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basicAuth, startGallery, type TestGallery } from './helpers/gallery.js'
import { commitsOf, uploadRaw } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

let g: TestGallery
let clock = Date.now()
const ids: string[] = []

beforeAll(async () => {
  g = await startGallery({ paused: true, now: () => clock, publicUrl: 'https://photos.example.org/' })
  for (let i = 0; i < 4; i++) {
    const up = await uploadRaw(g.url, await jpeg({ seed: 300 + i, taken: `2022:0${i + 1}:15 10:00:00` }), `p${i}.jpg`, basicAuth('alice'))
    expect(up.status).toBe(201)
    ids.push(up.body.id)
  }
})
afterAll(() => g.close())

const call = async (method: string, path: string, user: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${g.url}${path}`, {
    method,
    headers: { ...(user ? basicAuth(user) : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}
const code = (r: { body: any }) => r.body?.error?.code

describe('albums', () => {
  it('creates, fills, renames and lists an album: one commit per change, authored by the user', async () => {
    const created = await call('POST', '/api/albums', 'alice', { title: '  Winter  ' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ title: 'Winter', count: 0, createdBy: 'alice', id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) })
    const id = created.body.id
    const before = (await commitsOf(g.store)).length
    const patched = await call('PATCH', `/api/albums/${id}`, 'alice', { add: [ids[0], ids[1], ids[2], ids[0]] })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ count: 3, cover: ids[2] })
    const renamed = await call('PATCH', `/api/albums/${id}`, 'olga', { title: 'Winter 2022', remove: [ids[1]] })
    expect(renamed.body).toMatchObject({ title: 'Winter 2022', count: 2 })
    const all = await commitsOf(g.store) // newest first
    const commits = all.slice(0, all.length - before).reverse()
    expect(commits.map((c) => [c.author, c.paths])).toEqual([
      ['alice', [`albums/${id}.json`]],
      ['olga', [`albums/${id}.json`]],
    ])
    const one = await call('GET', `/api/albums/${id}?limit=1`, 'rita')
    expect(one.body).toMatchObject({ id, title: 'Winter 2022', count: 2 })
    expect(one.body.items.map((i: any) => i.id)).toEqual([ids[2]]) // newest taken first
    const next = await call('GET', `/api/albums/${id}?limit=1&cursor=${one.body.nextCursor}`, 'rita')
    expect(next.body.items.map((i: any) => i.id)).toEqual([ids[0]])
    const list = await call('GET', '/api/albums', 'rita')
    expect(list.body.albums.find((a: any) => a.id === id)).toMatchObject({ title: 'Winter 2022', count: 2, cover: ids[2] })
  })

  it('refuses unknown albums, foreign or malformed item ids and bad fields, changing nothing', async () => {
    const { body: album } = await call('POST', '/api/albums', 'alice', { title: 'Strict' })
    const before = (await commitsOf(g.store)).length
    expect(code(await call('GET', '/api/albums/AAAAAAAAAAAAAAAA', 'rita'))).toBe('ALBUM_NOT_FOUND')
    expect(code(await call('PATCH', '/api/albums/AAAAAAAAAAAAAAAA', 'alice', { title: 'x' }))).toBe('ALBUM_NOT_FOUND')
    expect((await call('GET', '/api/albums/not-an-id', 'rita')).status).toBe(404)
    const foreign = await call('PATCH', `/api/albums/${album.id}`, 'alice', { add: [ids[0], 'ab'.repeat(32)] })
    expect([foreign.status, code(foreign), foreign.body.unknown]).toEqual([400, 'ALBUM_ITEMS_UNKNOWN', ['ab'.repeat(32)]])
    expect(code(await call('PATCH', `/api/albums/${album.id}`, 'alice', { add: ['../../etc/passwd'] }))).toBe('ALBUM_INVALID')
    expect(code(await call('PATCH', `/api/albums/${album.id}`, 'alice', { add: 'x' }))).toBe('ALBUM_INVALID')
    expect(code(await call('PATCH', `/api/albums/${album.id}`, 'alice', { owner: 'me' }))).toBe('ALBUM_INVALID')
    expect(code(await call('PATCH', `/api/albums/${album.id}`, 'alice', {}))).toBe('ALBUM_INVALID')
    expect(code(await call('POST', '/api/albums', 'alice', { title: '' }))).toBe('ALBUM_INVALID')
    expect(code(await call('POST', '/api/albums', 'alice', { title: 'a\u0007b' }))).toBe('ALBUM_INVALID')
    expect(code(await call('POST', '/api/albums', 'alice', { title: 'x'.repeat(201) }))).toBe('ALBUM_INVALID')
    expect((await commitsOf(g.store)).length).toBe(before)
    expect((await call('GET', `/api/albums/${album.id}`, 'rita')).body.count).toBe(0)
  })

  it('needs writer to change and owner to delete; deleting keeps the items and drops the album\'s share links', async () => {
    const { body: album } = await call('POST', '/api/albums', 'alice', { title: 'Doomed' })
    expect((await call('POST', '/api/albums', 'rita', { title: 'no' })).status).toBe(403)
    expect((await call('PATCH', `/api/albums/${album.id}`, 'rita', { title: 'no' })).status).toBe(403)
    await call('PATCH', `/api/albums/${album.id}`, 'alice', { add: [ids[3]] })
    const share = await call('POST', '/api/shares', 'alice', { album: album.id })
    expect((await call('DELETE', `/api/albums/${album.id}`, 'alice')).status).toBe(403)
    expect((await call('DELETE', `/api/albums/${album.id}`, 'olga')).status).toBe(204)
    const last = (await commitsOf(g.store))[0]!
    expect([last.author, [...last.paths].sort()]).toEqual(['olga', [`albums/${album.id}.json`, `shares/${share.body.id}.json`].sort()])
    expect(code(await call('GET', `/api/albums/${album.id}`, 'rita'))).toBe('ALBUM_NOT_FOUND')
    expect((await call('GET', `/api/assets/${ids[3]}`, 'rita')).status).toBe(200)
    expect(code(await call('GET', '/api/share', undefined, undefined, { 'X-Share-Token': share.body.token }))).toBe('SHARE_NOT_FOUND')
  })

  it('serialises concurrent changes of one album: every add lands', async () => {
    const { body: album } = await call('POST', '/api/albums', 'alice', { title: 'Busy' })
    const answers = await Promise.all(ids.map((id) => call('PATCH', `/api/albums/${album.id}`, 'alice', { add: [id] })))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
    expect((await call('GET', `/api/albums/${album.id}`, 'rita')).body.count).toBe(ids.length)
    const revoke = (await call('POST', '/api/shares', 'alice', { album: album.id })).body.id
    const twice = await Promise.all([call('DELETE', `/api/shares/${revoke}`, 'alice'), call('DELETE', `/api/shares/${revoke}`, 'alice')])
    expect(twice.map((a) => a.status).sort()).toEqual([204, 404])
  })

  it('answers wrong methods, oversized and non-JSON bodies in the API\'s form', async () => {
    const put = await call('PUT', '/api/albums', 'alice', { title: 'x' })
    expect([put.status, code(put), put.headers.get('allow')]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, HEAD, OPTIONS, POST'])
    expect(code(await call('POST', '/api/shares/' + 'a'.repeat(64), 'alice', {}))).toBe('METHOD_NOT_ALLOWED')
    const huge = await call('POST', '/api/albums', 'alice', { title: 'x', pad: 'y'.repeat(1100 * 1024) })
    expect([huge.status, code(huge)]).toEqual([413, 'BODY_TOO_LARGE'])
    const text = await fetch(`${g.url}/api/albums`, { method: 'POST', headers: { ...basicAuth('alice'), 'Content-Type': 'text/plain' }, body: 'title=x' })
    expect(text.status).toBe(415)
    const broken = await fetch(`${g.url}/api/albums`, { method: 'POST', headers: { ...basicAuth('alice'), 'Content-Type': 'application/json' }, body: '{"title":' })
    expect([broken.status, await broken.json().then((b: any) => b.error.code)]).toEqual([400, 'BAD_REQUEST'])
    const head = await fetch(`${g.url}/api/timeline`, { method: 'HEAD', headers: basicAuth('rita') })
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8'])
  })

  it('counts only items still in the library', async () => {
    const extra = await uploadRaw(g.url, await jpeg({ seed: 399 }), 'gone.jpg', basicAuth('alice'))
    const { body: album } = await call('POST', '/api/albums', 'alice', { title: 'Leaky' })
    await call('PATCH', `/api/albums/${album.id}`, 'alice', { add: [ids[0], extra.body.id] })
    expect((await call('DELETE', `/api/assets/${extra.body.id}`, 'olga')).status).toBe(204)
    const got = await call('GET', `/api/albums/${album.id}`, 'rita')
    expect([got.body.count, got.body.cover, got.body.items.map((i: any) => i.id)]).toEqual([1, ids[0], [ids[0]]])
  })
})

describe('share links', () => {
  let albumId: string
  beforeAll(async () => {
    albumId = (await call('POST', '/api/albums', 'alice', { title: 'Shared' })).body.id
    await call('PATCH', `/api/albums/${albumId}`, 'alice', { add: [ids[0], ids[1]] })
  })
  const asShare = (token: string, method: string, path: string, body?: unknown) => call(method, path, undefined, body, { 'X-Share-Token': token })

  it('shares an album read-only with whoever has the link, and nothing else', async () => {
    const created = await call('POST', '/api/shares', 'alice', { album: albumId })
    expect(created.status).toBe(201)
    const { token, id, url } = created.body
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url).toBe(`https://photos.example.org/s/${token}`)
    expect(created.body).toMatchObject({ album: albumId, createdBy: 'alice', expired: false })
    expect(await asShare(token, 'GET', '/api/share').then((r) => r.body)).toEqual({ kind: 'album', album: albumId, title: 'Shared', count: 2 })
    const listed = await asShare(token, 'GET', '/api/assets')
    expect(listed.body.items.map((i: any) => i.id).sort()).toEqual([ids[0], ids[1]].sort())
    const item = await asShare(token, 'GET', `/api/assets/${ids[0]}`)
    expect(item.status).toBe(200)
    expect(item.body.uploadedBy).toBeUndefined()
    // <img> URLs carry the token as a query parameter
    const original = await fetch(`${g.url}/api/assets/${ids[1]}/original?share=${token}`)
    expect([original.status, original.headers.get('content-type')]).toEqual([200, 'image/jpeg'])
    // out of scope: other items, other endpoints, any change
    expect(code(await asShare(token, 'GET', `/api/assets/${ids[2]}`))).toBe('SHARE_SCOPE')
    expect(code(await call('GET', `/api/assets/${ids[2]}/original?share=${token}`, undefined))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'GET', '/api/albums'))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'GET', '/api/timeline'))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'GET', '/api/shares'))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'PATCH', `/api/assets/${ids[0]}`, { caption: 'hacked' }))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'DELETE', `/api/assets/${ids[0]}`))).toBe('SHARE_SCOPE')
    expect(code(await asShare(token, 'POST', '/api/albums', { title: 'x' }))).toBe('SHARE_SCOPE')
    expect((await call('GET', `/api/assets/${ids[0]}`, 'rita')).body.caption).toBeUndefined()
    // items added later are shared too (the link shares the album, not a snapshot)
    await call('PATCH', `/api/albums/${albumId}`, 'alice', { add: [ids[2]] })
    expect((await asShare(token, 'GET', `/api/assets/${ids[2]}`)).status).toBe(200)
    await call('PATCH', `/api/albums/${albumId}`, 'alice', { remove: [ids[2]] })
    expect(code(await asShare(token, 'GET', `/api/assets/${ids[2]}`))).toBe('SHARE_SCOPE')
    // the store holds only the token's hash
    const listedShares = await call('GET', '/api/shares', 'alice')
    expect(listedShares.body.shares.find((s: any) => s.id === id)).toMatchObject({ album: albumId })
    expect(JSON.stringify(listedShares.body)).not.toContain(token)
    const stored = await g.store.get(`shares/${id}.json`)
    const chunks: Buffer[] = []
    for await (const c of await g.store.getBlob(stored!.digest)) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).toString()).not.toContain(token)
  })

  it('shares one item, and only it', async () => {
    const { body } = await call('POST', '/api/shares', 'alice', { asset: ids[3] })
    expect(await asShare(body.token, 'GET', '/api/share').then((r) => r.body)).toEqual({ kind: 'asset', asset: ids[3] })
    expect((await asShare(body.token, 'GET', `/api/assets/${ids[3]}`)).status).toBe(200)
    expect((await asShare(body.token, 'GET', '/api/assets')).body.items.map((i: any) => i.id)).toEqual([ids[3]])
    expect(code(await asShare(body.token, 'GET', `/api/assets/${ids[0]}`))).toBe('SHARE_SCOPE')
  })

  it('revokes: the link answers 404 SHARE_NOT_FOUND from then on', async () => {
    const { body } = await call('POST', '/api/shares', 'alice', { album: albumId })
    expect((await call('DELETE', `/api/shares/${body.id}`, 'rita')).status).toBe(403)
    expect((await call('DELETE', `/api/shares/${body.id}`, 'alice')).status).toBe(204)
    expect((await commitsOf(g.store))[0]!.author).toBe('alice')
    const after = await asShare(body.token, 'GET', `/api/assets/${ids[0]}`)
    expect([after.status, code(after)]).toEqual([404, 'SHARE_NOT_FOUND'])
    expect(code(await call('DELETE', `/api/shares/${body.id}`, 'alice'))).toBe('SHARE_NOT_FOUND')
  })

  it('expires: 410 SHARE_EXPIRED after expiresAt; unknown or garbled tokens 404', async () => {
    const expiresAt = new Date(clock + 60_000).toISOString()
    const { body } = await call('POST', '/api/shares', 'alice', { album: albumId, expiresAt })
    expect(body.expiresAt).toBe(expiresAt)
    expect((await asShare(body.token, 'GET', '/api/share')).body).toMatchObject({ expiresAt })
    clock += 61_000
    const expired = await asShare(body.token, 'GET', `/api/assets/${ids[0]}`)
    expect([expired.status, code(expired)]).toEqual([410, 'SHARE_EXPIRED'])
    expect((await call('GET', '/api/shares', 'alice')).body.shares.find((s: any) => s.id === body.id).expired).toBe(true)
    expect(code(await asShare('A'.repeat(43), 'GET', '/api/share'))).toBe('SHARE_NOT_FOUND')
    expect(code(await asShare('short', 'GET', '/api/share'))).toBe('SHARE_NOT_FOUND')
    expect(code(await call('GET', '/api/share', undefined))).toBe('SHARE_NOT_FOUND')
  })

  it('refuses bad share requests', async () => {
    expect((await call('POST', '/api/shares', 'rita', { album: albumId })).status).toBe(403)
    expect((await call('GET', '/api/shares', 'rita')).status).toBe(403)
    expect(code(await call('POST', '/api/shares', 'alice', {}))).toBe('SHARE_INVALID')
    expect(code(await call('POST', '/api/shares', 'alice', { album: albumId, asset: ids[0] }))).toBe('SHARE_INVALID')
    expect(code(await call('POST', '/api/shares', 'alice', { album: albumId, expiresAt: new Date(clock - 1000).toISOString() }))).toBe('SHARE_INVALID')
    expect(code(await call('POST', '/api/shares', 'alice', { album: albumId, expiresAt: 'tomorrow' }))).toBe('SHARE_INVALID')
    expect(code(await call('POST', '/api/shares', 'alice', { album: 'AAAAAAAAAAAAAAAA' }))).toBe('ALBUM_NOT_FOUND')
    expect(code(await call('POST', '/api/shares', 'alice', { asset: 'cd'.repeat(32) }))).toBe('ASSET_NOT_FOUND')
  })
})

describe('timeline', () => {
  it('counts items per month, newest first, and pages inside a month by offset', async () => {
    const extra = await uploadRaw(g.url, await jpeg({ seed: 450, taken: '2022:03:20 10:00:00' }), 'march-2.jpg', basicAuth('alice'))
    const { body } = await call('GET', '/api/timeline', 'rita')
    const months = body.months.filter((m: any) => m.month.startsWith('2022-'))
    expect(months).toEqual([
      { month: '2022-04', count: 1 },
      { month: '2022-03', count: 2 },
      { month: '2022-02', count: 1 },
      { month: '2022-01', count: 1 },
    ])
    expect(body.total).toBe(body.months.reduce((n: number, m: any) => n + m.count, 0))
    const march = await call('GET', '/api/assets?month=2022-03&limit=1', 'rita')
    expect(march.body.items.map((i: any) => i.id)).toEqual([extra.body.id])
    const second = await call('GET', '/api/assets?month=2022-03&offset=1&limit=5', 'rita')
    expect(second.body.items.map((i: any) => i.id)).toEqual([ids[2]])
    expect((await call('GET', '/api/assets?month=2022-03&offset=2', 'rita')).body.items).toEqual([])
    expect(code(await call('GET', '/api/assets?month=2022-13', 'rita'))).toBe('BAD_REQUEST')
    expect(code(await call('GET', '/api/assets?month=2022-03&from=2022-01-01', 'rita'))).toBe('BAD_REQUEST')
    expect(code(await call('GET', '/api/assets?offset=-1', 'rita'))).toBe('BAD_REQUEST')
    expect(code(await call('GET', `/api/assets?offset=1&cursor=${march.body.nextCursor}`, 'rita'))).toBe('BAD_REQUEST')
    expect((await call('GET', '/api/timeline', undefined)).status).toBe(401)
  })
})
