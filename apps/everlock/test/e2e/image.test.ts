// The media library through `everlock serve`: the seed's image flags next to the registry, uploads with the
// real curl, derived work committed by the job, the console over OpenSSH (/image …, /store log, grants to anon).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { built, Everlock, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { curl, makeMedia, waitForDerivatives as waitFor } from '../helpers/media.js'

const PHOTOS = 'photos.localhost'

describe.skipIf(!built)('image libraries in everlock serve', () => {
  let dir: string
  let e: Everlock
  let media: { jpeg: string; mp4: string }
  const url = (path: string): string => `http://${PHOTOS}:${e.http}${path}`

  beforeAll(async () => {
    dir = tempDir('image')
    media = await makeMedia(dir)
    e = await Everlock.start(dir, {
      args: (http, ssh) => seedArgs(dir, http, ssh, ['--backend-image-http', '--backend-image-http-vhost', PHOTOS, '--backend-image-http-store', 'everlock-image']),
    })
    expect(e.proc.output).toMatch(/image instance default: store everlock-image, vhosts photos\.localhost/)
    await e.console('/users add alice pw-alice')
    await e.console('/users grant alice http/image/default writer')
  })
  afterAll(async () => {
    await e?.stop()
    if (dir) removeDir(dir)
  })

  /** A console command that fails: what it printed (exec exits non-zero). */
  async function refused(command: string): Promise<string> {
    try {
      return `unexpectedly succeeded: ${await e.console(command)}`
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string }
      return stdout + stderr
    }
  }

  const waitForDerivatives = (id: string, names: string[]) =>
    waitFor(async () => (await curl(e.http, PHOTOS, ['-u', 'alice:pw-alice', url(`/api/assets/${id}`)])).body, id, names)

  it('takes an upload from curl (the same bytes again are the same asset), derives it, and serves the thumbnail', async () => {
    const first = await curl(e.http, PHOTOS, ['-u', 'alice:pw-alice', '-H', 'X-Filename: photo.jpg', '-H', 'Content-Type: image/jpeg', '--data-binary', `@${media.jpeg}`, url('/api/assets')])
    expect(first.status).toBe(201)
    const asset = JSON.parse(first.body) as { id: string; type?: string }
    const again = await curl(e.http, PHOTOS, ['-u', 'alice:pw-alice', '-F', `file=@${media.jpeg};type=image/jpeg`, url('/api/assets')])
    expect([200, 207]).toContain(again.status)
    expect(again.body).toContain(asset.id)
    await waitForDerivatives(asset.id, ['thumbnail', 'preview'])
    const thumb = await request({ port: e.http, host: PHOTOS, path: `/api/assets/${asset.id}/thumbnail`, auth: ['alice', 'pw-alice'], headers: { accept: 'image/webp,*/*' } })
    expect(thumb.status).toBe(200)
    expect(thumb.headers['content-type']).toBe('image/webp')
    expect(thumb.headers['x-content-type-options']).toBe('nosniff')
    const original = await request({ port: e.http, host: PHOTOS, path: `/api/assets/${asset.id}/original`, auth: ['alice', 'pw-alice'], headers: { range: 'bytes=0-1' } })
    expect([original.status, [...original.body]]).toEqual([206, [0xff, 0xd8]])
    // who uploaded, and the job's own commit
    const log = await e.console('/store log everlock-image')
    expect(log).toMatch(/alice/)
    expect(log).toMatch(/job:derive/)
  })

  it('videos get a poster frame', async () => {
    const up = await curl(e.http, PHOTOS, ['-u', 'alice:pw-alice', '-H', 'X-Filename: clip.mp4', '--data-binary', `@${media.mp4}`, url('/api/assets')])
    expect(up.status).toBe(201)
    const { id } = JSON.parse(up.body) as { id: string }
    await waitForDerivatives(id, ['poster', 'thumbnail'])
    const listed = JSON.parse((await curl(e.http, PHOTOS, ['-u', 'alice:pw-alice', url('/api/assets?type=video')])).body) as { items: Array<{ id: string }> }
    expect(listed.items.map((i) => i.id)).toEqual([id])
  })

  it('nothing is readable anonymously until anon is granted reader; wrong roles get JSON refusals', async () => {
    const anon = await curl(e.http, PHOTOS, [url('/api/assets')])
    expect(anon.status).toBe(401)
    expect(JSON.parse(anon.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    await e.console('/users grant anon http/image/default reader')
    expect((await curl(e.http, PHOTOS, [url('/api/assets')])).status).toBe(200)
    const post = await curl(e.http, PHOTOS, ['-H', 'X-Filename: x.jpg', '--data-binary', `@${media.jpeg}`, url('/api/assets')])
    expect(post.status).toBe(401)
    await e.console('/users revoke anon http/image/default')
    expect((await curl(e.http, PHOTOS, [url('/api/assets')])).status).toBe(401)
  })

  it('/image create answers on its vhost within a second, persisted; a registry vhost cannot be taken; delete is live', async () => {
    const created = await e.console('/image create family store=family-images vhost=family.localhost')
    expect(created).toMatch(/family/)
    const started = Date.now()
    const reply = await curl(e.http, 'family.localhost', ['-u', 'admin:change-me', `http://family.localhost:${e.http}/api/assets`])
    expect(Date.now() - started).toBeLessThan(1000)
    expect([reply.status, JSON.parse(reply.body)]).toEqual([200, expect.objectContaining({ items: [] })])
    expect(readFileSync(join(dir, 'config', 'image-http.toml'), 'utf8')).toMatch(/\[instances\.family\][\s\S]*family-images[\s\S]*family\.localhost/)
    expect(await e.console('/image list')).toMatch(/family\s+family-images\s+family\.localhost/)
    expect(await refused('/image create other vhost=localhost')).toMatch(/already used by OCI registry 'default'/)
    expect(await e.console('/image delete family')).toMatch(/deleted/)
    expect((await curl(e.http, 'family.localhost', [`http://family.localhost:${e.http}/api/assets`])).status).toBe(421)
    // the registry on its own vhost is untouched
    expect((await request({ port: e.http, host: 'localhost', path: '/v2/', auth: ['admin', 'change-me'] })).status).toBe(200)
  })

  it('SIGHUP applies a hand-edited image-http.toml; a file that steals a registry vhost is refused and changes nothing', async () => {
    const file = join(dir, 'config', 'image-http.toml')
    const before = readFileSync(file, 'utf8')
    writeFileSync(file, `${before}\n[instances.edited]\nvhosts = ["edited.localhost"]\n`)
    e.proc.child.kill('SIGHUP')
    await e.proc.waitFor([/image instances reloaded .*1 added/])
    expect((await curl(e.http, 'edited.localhost', ['-u', 'admin:change-me', `http://edited.localhost:${e.http}/api/assets`])).status).toBe(200)
    writeFileSync(file, `${before}\n[instances.thief]\nvhosts = ["localhost"]\n`)
    e.proc.child.kill('SIGHUP')
    await e.proc.waitFor([/reload refused/])
    expect(await e.console('/image list')).not.toMatch(/thief/)
    expect((await request({ port: e.http, host: 'localhost', path: '/v2/', auth: ['admin', 'change-me'] })).status).toBe(200)
  })

  it('the gallery through everlock serve: the app page with its CSP, password login with a session cookie, CSRF on changes', async () => {
    const page = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, path: '/', headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    expect(String(page.headers['content-security-policy'])).toMatch(/default-src 'self'/)
    const origin = `http://${PHOTOS}:${e.http}`
    const json = { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' }
    const wrong = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, method: 'POST', path: '/api/session', headers: json, body: JSON.stringify({ user: 'alice', password: 'nope' }) })
    expect([wrong.status, wrong.json()]).toEqual([401, expect.objectContaining({ error: expect.objectContaining({ code: 'LOGIN_FAILED' }) })])
    await e.console('/users add bob pw-bob')
    const noAccess = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, method: 'POST', path: '/api/session', headers: json, body: JSON.stringify({ user: 'bob', password: 'pw-bob' }) })
    expect(noAccess.status).toBe(403)
    const login = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, method: 'POST', path: '/api/session', headers: json, body: JSON.stringify({ user: 'alice', password: 'pw-alice' }) })
    expect(login.status).toBe(200)
    const setCookie = String(login.headers['set-cookie'])
    expect(setCookie).toMatch(/everlock_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/)
    const cookie = setCookie.split(';')[0]!
    const { csrfToken } = login.json<{ csrfToken: string }>()
    const listed = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, path: '/api/assets', headers: { cookie, 'sec-fetch-site': 'same-origin' } })
    expect(listed.status).toBe(200)
    const album = (headers: Record<string, string>) =>
      request({ port: e.http, host: `${PHOTOS}:${e.http}`, method: 'POST', path: '/api/albums', headers: { ...json, cookie, ...headers }, body: JSON.stringify({ title: 'Holidays' }) })
    expect((await album({})).json()).toMatchObject({ error: { code: 'CSRF_FAILED' } })
    expect((await album({ 'x-csrf-token': csrfToken })).status).toBe(201)
  })
})
