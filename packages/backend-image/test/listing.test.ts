import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, startLibrary, uploadRaw, type TestLibrary } from './helpers/library.js'
import { jpeg, png } from './helpers/media.js'

let lib: TestLibrary
const ids: Record<string, string> = {}

beforeAll(async () => {
  // Paused queue: listing must not depend on derived work.
  lib = await startLibrary({ paused: true })
  const dated: Array<[string, string]> = [
    ['beach-2019.jpg', '2019:07:01 12:00:00'],
    ['hike-2021.jpg', '2021:05:10 08:30:00'],
    ['party-2020.jpg', '2020:12:31 23:59:00'],
    ['same-time-a.jpg', '2018:01:01 00:00:00'],
    ['same-time-b.jpg', '2018:01:01 00:00:00'],
  ]
  for (const [i, [name, taken]] of dated.entries()) {
    const { status, body } = await uploadRaw(lib.url, await jpeg({ seed: 100 + i, taken }), name)
    expect(status).toBe(201)
    ids[name] = body.id
  }
  const undated = await uploadRaw(lib.url, await png(20, 20, 7), 'screenshot.png') // no EXIF: sorts by upload time (now)
  ids['screenshot.png'] = undated.body.id
})
afterAll(() => lib.close())

const names = (body: any) => body.items.map((i: any) => i.filename)

describe('GET /api/assets', () => {
  it('lists newest first by date taken (EXIF, else upload time), ties by id', async () => {
    const { status, body, headers } = await getJson(`${lib.url}/api/assets`)
    expect(status).toBe(200)
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    const sameTime = [ids['same-time-a.jpg']!, ids['same-time-b.jpg']!].sort()
    const byId = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]))
    expect(names(body)).toEqual(['screenshot.png', 'hike-2021.jpg', 'party-2020.jpg', 'beach-2019.jpg', byId[sameTime[0]!], byId[sameTime[1]!]])
    expect(body.items[1]).toMatchObject({ kind: 'image', mime: 'image/jpeg', width: 320, height: 240, tags: [], state: 'queued', derivatives: [] })
    expect(body.items[1].takenAt).toBe('2021-05-10T08:30:00.000Z')
    expect(body.nextCursor).toBeUndefined()
  })

  it('pages with an opaque cursor that stays correct while uploads happen', async () => {
    const first = await getJson(`${lib.url}/api/assets?limit=2`)
    expect(names(first.body)).toEqual(['screenshot.png', 'hike-2021.jpg'])
    expect(first.body.nextCursor).toEqual(expect.any(String))
    // Uploads land before and after the cursor position meanwhile.
    await uploadRaw(lib.url, await jpeg({ seed: 200, taken: '2022:01:01 00:00:00' }), 'newer.jpg')
    await uploadRaw(lib.url, await jpeg({ seed: 201, taken: '2017:01:01 00:00:00' }), 'older.jpg')
    const second = await getJson(`${lib.url}/api/assets?limit=2&cursor=${first.body.nextCursor}`)
    expect(names(second.body)).toEqual(['party-2020.jpg', 'beach-2019.jpg'])
    const third = await getJson(`${lib.url}/api/assets?limit=10&cursor=${second.body.nextCursor}`)
    expect(names(third.body).slice(-1)).toEqual(['older.jpg'])
    expect(third.body.items).toHaveLength(3)
    expect(third.body.nextCursor).toBeUndefined()
  })

  it('filters by date range and type', async () => {
    const { body } = await getJson(`${lib.url}/api/assets?from=2019-01-01&to=2020-12-31`)
    expect(names(body)).toEqual(['party-2020.jpg', 'beach-2019.jpg'])
    const month = await getJson(`${lib.url}/api/assets?from=2021-05&to=2021-05`)
    expect(names(month.body)).toEqual(['hike-2021.jpg'])
    const videos = await getJson(`${lib.url}/api/assets?type=video`)
    expect(videos.body.items).toEqual([])
  })

  it('searches filenames, captions and tags with q (every word must match)', async () => {
    const res = await fetch(`${lib.url}/api/assets/${ids['beach-2019.jpg']}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ caption: 'Sunset over the dunes', tags: ['Holiday', 'sea'] }) })
    expect(res.status).toBe(200)
    expect(names((await getJson(`${lib.url}/api/assets?q=hike`)).body)).toEqual(['hike-2021.jpg'])
    expect(names((await getJson(`${lib.url}/api/assets?q=DUNES`)).body)).toEqual(['beach-2019.jpg'])
    expect(names((await getJson(`${lib.url}/api/assets?q=holiday%20sunset`)).body)).toEqual(['beach-2019.jpg'])
    expect(names((await getJson(`${lib.url}/api/assets?q=holiday%20hike`)).body)).toEqual([])
  })

  it('refuses unreadable parameters with 400 and a code', async () => {
    for (const q of ['cursor=nope', 'limit=-1', 'type=audio', 'from=yesterday', `cursor=${Buffer.from('1.abc').toString('base64url')}`]) {
      const { status, body } = await getJson(`${lib.url}/api/assets?${q}`)
      expect(status, q).toBe(400)
      expect(['BAD_REQUEST', 'CURSOR_INVALID']).toContain(body.error.code)
    }
  })

  it('sees commits made behind its back (another library over the same store)', async () => {
    const { createImageLibrary } = await import('@everlock/backend-image')
    const { createServer } = await import('node:http')
    const { openJobQueue } = await import('@everlock/jobs')
    const { mkdtemp } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const jobs = await openJobQueue({ dir: await mkdtemp(join(tmpdir(), 'everlock-image-q2-')) })
    const other = createImageLibrary({ store: lib.store, jobs, log: () => {} })
    await other.ready
    const server = createServer(other)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    try {
      await uploadRaw(`http://127.0.0.1:${port}`, await jpeg({ seed: 300, taken: '2030:01:01 00:00:00' }), 'from-elsewhere.jpg')
      expect(names((await getJson(`${lib.url}/api/assets?limit=1`)).body)).toEqual(['from-elsewhere.jpg'])
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await other.close()
      await jobs.close()
    }
  })
})
