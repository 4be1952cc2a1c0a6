// The gallery used as a person would, against a real `everlock serve` (the built dist/cli.js): Debian's chromium
// through playwright-core on the image vhost, users and grants made in the admin console over OpenSSH, login
// through the app's own sessions (auth-grants + the frontend's login throttle). Screenshots of every page, desktop
// and phone, land in test/e2e/output/gallery-browser/ (git-ignored); axe-core checks the login, timeline and item
// pages. Without the browser: the session cookie's attributes over plain HTTP and over HTTPS (the test CA).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestCa, type TestCa } from '@everlock/frontend-http/testing'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// The library's own media generator (real sharp with EXIF, real ffmpeg): dates, camera, exposure and GPS.
import { makeJpeg, makeVideo, writeFixture } from '../../../../packages/backend-image/test/media/fixtures.js'
import { CHROMIUM, DESKTOP, launchChromium, overflow, screenshots, seriousViolations, settled } from '../helpers/browser.js'
import { built, Everlock, freePort, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { waitForDerivatives } from '../helpers/media.js'

const PHOTOS = 'photos.localhost'
const PUBLIC = 'public.localhost'
/** A public gallery of a few hundred items, for scrolling through a list longer than the DOM may hold. */
const MANY = 'many.localhost'
const MANY_N = 300
const OUTPUT = fileURLToPath(new URL('./output/gallery-browser/', import.meta.url))
/** Default wait of one browser action; derived work (thumbnails, the video poster) may take longer on a loaded machine. */
const T = 20_000
const SLOW = 60_000

/** What watchThumbnailsOnScreen saw. */
interface Watched {
  atStart: number
  fewest: number
  placeholdersNear: number
}

const { shot, both } = screenshots(OUTPUT)

describe.skipIf(!built || (!existsSync(CHROMIUM) && !process.env.CI))('the gallery in chromium against everlock serve', { timeout: 120_000 }, () => {
  let dir: string
  let ca: TestCa
  let e: Everlock
  let https: number
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let shareUrl = ''
  const files: Record<'beach' | 'forest' | 'city' | 'clip', string> = { beach: '', forest: '', city: '', clip: '' }
  const origin = (host = PHOTOS): string => `http://${host}:${e.http}`

  beforeAll(async () => {
    dir = tempDir('gallery')
    ca = createTestCa()
    const certs = join(dir, 'config', 'certs')
    mkdirSync(certs, { recursive: true })
    const pair = ca.issue([PHOTOS])
    writeFileSync(join(certs, `${PHOTOS}.key`), pair.key, { mode: 0o600 })
    writeFileSync(join(certs, `${PHOTOS}.pem`), pair.cert)

    const media = join(dir, 'media')
    mkdirSync(media)
    const [beach, forest, city] = await Promise.all([
      makeJpeg({ width: 1200, height: 800, takenAt: '2026-08-14T18:30:00', camera: { make: 'Everlock', model: 'Cam One', lens: 'Prime 35mm' }, exposure: { exposureTime: '1/250', fNumber: '28/10', iso: 200, focalLength: '35/1' }, gps: { latitude: 43.29551, longitude: 5.37403 } }),
      makeJpeg({ width: 800, height: 1200, takenAt: '2026-05-02T09:15:00', pattern: 'quadrants' }),
      makeJpeg({ width: 1000, height: 750, takenAt: '2025-12-24T20:00:00' }),
    ])
    files.beach = await writeFixture(media, 'beach.jpg', beach)
    files.forest = await writeFixture(media, 'forest.jpg', forest)
    files.city = await writeFixture(media, 'city.jpg', city)
    files.clip = await makeVideo(join(media, 'clip.mp4'), { format: 'mp4', width: 320, height: 240, seconds: 4, creationTime: '2026-07-01T12:00:00Z' })

    https = await freePort()
    // prettier-ignore
    e = await Everlock.start(dir, { args: (http, ssh) => seedArgs(dir, http, ssh, ['--frontend-http-listen-https', `127.0.0.1:${https}`,
      '--backend-image-http', '--backend-image-http-vhost', PHOTOS, '--backend-image-http-store', 'everlock-image',
      '--backend-image-http-public-url', `http://${PHOTOS}:${http}`]) })
    await e.proc.waitFor([/^https listening on /m])
    // As an admin would: one console session over OpenSSH.
    const shown = await e.terminal([
      '/users add alice alice-password',
      '/users grant alice http/image/default owner',
      '/users add bob bob-password',
      `/image create public store=public-images vhost=${PUBLIC}`,
      '/users grant anon http/image/public reader',
      `/image create many store=many-images vhost=${MANY}`,
      '/users grant anon http/image/many reader',
      '/quit',
    ])
    expect(shown).toMatch(/granted owner on http\/image\/default to 'alice'/)
    expect(shown).toMatch(/created .*public/)
    expect(shown).toMatch(/granted reader on http\/image\/public to 'anon'/)
    expect(shown).toMatch(/granted reader on http\/image\/many to 'anon'/)
    expect(shown).not.toMatch(/error|refused|unknown/i)
    browser = await launchChromium()
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    const exit = await e?.stop()
    ca?.cleanup()
    if (dir) removeDir(dir)
    expect(exit?.code).toBe(0)
  })

  async function newPage(base = origin()): Promise<{ context: BrowserContext; page: Page }> {
    const c = await browser.newContext({ viewport: DESKTOP, baseURL: base })
    c.setDefaultTimeout(T)
    const p = await c.newPage()
    p.on('pageerror', (err) => console.error('page error:', err))
    return { context: c, page: p }
  }

  async function logIn(p: Page, user: string, password: string): Promise<void> {
    await p.getByLabel('User name').fill(user)
    await p.getByLabel('Password').fill(password)
    await p.getByRole('button', { name: 'Log in' }).click()
  }

  async function expectNoSeriousViolations(p: Page, where: string): Promise<void> {
    const violations = await seriousViolations(p)
    expect(violations, `${where}: ${JSON.stringify(violations, null, 1)}`).toEqual([])
  }

  /** Desktop and phone screenshots of the page as it is; the phone layout must not scroll sideways. */
  async function shots(p: Page, name: string): Promise<void> {
    const { phoneOverflow } = await both(p, name)
    expect(phoneOverflow, `${name} at 390×844 is wider than the screen`).toBeLessThanOrEqual(0)
  }

  /** An image of that accessible name is on the page with real pixels (asked afresh: lists re-create their rows). */
  async function imageLoaded(p: Page, name: string): Promise<void> {
    await p.getByRole('img', { name, exact: true }).first().waitFor({ timeout: SLOW })
    await p.waitForFunction((alt) => [...document.querySelectorAll('img')].some((i) => i.alt === alt && i.complete && i.naturalWidth > 0), name, { timeout: SLOW })
  }

  /**
   * Watch the thumbnails on screen in the page's main list from now on; the returned function gives how many there
   * were at the start, the fewest seen at any rebuild since, and the most placeholders seen near the screen. When
   * the list refreshes, the screen shows the new list whole, never placeholders where thumbnails were while it
   * reads the new pages (rows below the screen may follow a frame later, so only the screen counts thumbnails).
   */
  async function watchThumbnailsOnScreen(p: Page): Promise<() => Promise<Watched>> {
    await p.evaluate(() => {
      // On screen, and near it: the quarter screen above and below whose pages the list fetches with the screen's.
      const within = (el: Element, extra: number) => {
        const b = el.getBoundingClientRect()
        return b.bottom > -window.innerHeight * extra && b.top < window.innerHeight * (1 + extra)
      }
      const onScreen = () => [...document.querySelectorAll('main .tile img')].filter((img) => within(img, 0)).length
      const placeholdersNear = () => [...document.querySelectorAll('main .tile.loading')].filter((t) => within(t, 0.25)).length
      const w = window as unknown as { watched: Watched }
      const atStart = onScreen()
      w.watched = { atStart, fewest: atStart, placeholdersNear: placeholdersNear() }
      new MutationObserver(() => {
        w.watched.fewest = Math.min(w.watched.fewest, onScreen())
        w.watched.placeholdersNear = Math.max(w.watched.placeholdersNear, placeholdersNear())
      }).observe(document.querySelector('main')!, { childList: true, subtree: true })
    })
    return () => p.evaluate(() => (window as unknown as { watched: Watched }).watched)
  }

  const login = (port: number, host: string, secure: boolean, user: string, password: string) => {
    const body = JSON.stringify({ user, password })
    const scheme = secure ? 'https' : 'http'
    const headers = { host: `${host}:${port}`, 'content-type': 'application/json', origin: `${scheme}://${host}:${port}`, 'sec-fetch-site': 'same-origin', 'content-length': String(Buffer.byteLength(body)) }
    if (!secure) return request({ port, host: headers.host, method: 'POST', path: '/api/session', headers, body })
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, servername: host, ca: ca.cert, method: 'POST', path: '/api/session', headers, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  it('the session cookie is HttpOnly and SameSite=Lax over HTTP, and Secure as well over HTTPS (plain requests)', async () => {
    const plain = await login(e.http, PHOTOS, false, 'alice', 'alice-password')
    expect(plain.status).toBe(200)
    const plainCookie = String(plain.headers['set-cookie'])
    expect(plainCookie).toMatch(/^everlock_session=[^;]+;/)
    expect(plainCookie).toMatch(/; HttpOnly(;|$)/)
    expect(plainCookie).toMatch(/; SameSite=Lax(;|$)/)
    expect(plainCookie).toMatch(/; Max-Age=\d+/)
    expect(plainCookie).not.toMatch(/Secure/i)

    const tls = await login(https, PHOTOS, true, 'alice', 'alice-password')
    expect(tls.status).toBe(200)
    const tlsCookie = String(tls.headers['set-cookie'])
    expect(tlsCookie).toMatch(/; HttpOnly(;|$)/)
    expect(tlsCookie).toMatch(/; SameSite=Lax(;|$)/)
    expect(tlsCookie).toMatch(/; Secure(;|$)/)
  })

  it('refuses a wrong password and a user without Reader with their messages, then logs in', async () => {
    ;({ context, page } = await newPage())
    await page.goto('/')
    await page.waitForURL('**/login')
    await page.getByRole('heading', { name: 'Photos' }).waitFor()
    await expectNoSeriousViolations(page, 'login')
    await shots(page, 'login')

    const statuses: number[] = []
    page.on('response', (r) => {
      if (r.url().endsWith('/api/session') && r.request().method() === 'POST') statuses.push(r.status())
    })
    await logIn(page, 'alice', 'wrong-password')
    await page.getByText('Wrong user name or password.').waitFor()
    await logIn(page, 'bob', 'bob-password')
    await page.getByText('This account has no access to this photo library.').waitFor()
    expect(statuses).toEqual([401, 403])
    await shots(page, 'login-refused')

    await logIn(page, 'alice', 'alice-password')
    await page.getByText('No photos yet').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    const session = (await context.cookies()).find((c) => c.name === 'everlock_session')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, domain: PHOTOS })
  })

  it('uploads three photos and a video through the file chooser; thumbnails appear as their jobs finish', async () => {
    const chooser = page.waitForEvent('filechooser')
    await page.getByRole('button', { name: 'Upload' }).click()
    await (await chooser).setFiles([files.beach, files.forest, files.city, files.clip])
    const uploads = page.getByRole('region', { name: /upload/i })
    await uploads.getByRole('heading', { name: '4 files uploaded' }).waitFor({ timeout: SLOW })
    const overall = uploads.getByRole('progressbar', { name: 'Overall upload progress' })
    expect(await overall.getAttribute('value')).toBe(await overall.getAttribute('max'))
    await page.waitForFunction(() => document.querySelectorAll('.upload-status').length === 4 && [...document.querySelectorAll('.upload-status')].every((s) => s.textContent === 'Ready'), null, { timeout: SLOW })
    for (const name of ['beach.jpg', 'forest.jpg', 'city.jpg', 'clip.mp4']) await imageLoaded(page, name)
    // From now on the timeline may refresh (the last upload's thumbnail just landed), and never blanks as it does.
    const thumbnails = await watchThumbnailsOnScreen(page)
    // Newest first, grouped by month (of the EXIF date taken; the video's creation time).
    // (The last month is below the screen: after a refresh its heading may come a frame later, so this is polled.)
    const label = (m: string) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${m} 15 UTC`))
    await expect.poll(() => page.locator('.month').allTextContents()).toEqual(['August 2026', 'July 2026', 'May 2026', 'December 2025'].map(label))

    // The same bytes again: reported as a duplicate, not a new item.
    const again = page.waitForEvent('filechooser')
    await page.getByRole('button', { name: 'Upload' }).click()
    await (await again).setFiles([files.city])
    await uploads.getByText('Duplicate: already in the library').waitFor()
    await uploads.getByRole('button', { name: 'Hide' }).click()

    // Dropped on the page: the same path (these bytes under another name, so again a duplicate).
    const dropped = await page.evaluateHandle((b64) => {
      const bin = atob(b64)
      const bytes = new Uint8Array(bin.length)
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
      const data = new DataTransfer()
      data.items.add(new File([bytes], 'city-again.jpg', { type: 'image/jpeg' }))
      return data
    }, (await readFile(files.city)).toString('base64'))
    for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('main', type, { dataTransfer: dropped })
    await uploads.getByText('city-again.jpg').waitFor()
    await uploads.getByText('Duplicate: already in the library').waitFor()
    await uploads.getByRole('button', { name: 'Hide' }).click()
    // Still four items (rows below the screen are built in the frames after a refresh, so the count is polled).
    await expect.poll(() => page.locator('.tile img').count()).toBe(4)
    const whileUploading = await thumbnails()
    expect(whileUploading.atStart).toBeGreaterThan(0)
    expect(whileUploading.fewest, 'thumbnails on screen while the timeline refreshed').toBe(whileUploading.atStart)
    // The fourth month is below the screen, within the quarter screen fetched with it: no placeholder there either.
    expect(whileUploading.placeholdersNear, 'placeholders near the screen while the timeline refreshed').toBe(0)
    await expectNoSeriousViolations(page, 'timeline')
    await shots(page, 'timeline')
  })

  it('opens an item with its metadata, moves with ← → and closes with Esc; plays and seeks the video (Range)', async () => {
    await page.getByRole('link', { name: 'beach.jpg' }).click()
    const viewer = page.getByRole('dialog', { name: 'beach.jpg' })
    await viewer.waitFor()
    expect(new URL(page.url()).pathname).toMatch(/^\/item\/[0-9a-f]{64}$/)
    const details = viewer.getByRole('complementary', { name: 'Details' })
    await details.getByText('Everlock Cam One').waitFor()
    await details.getByText('1/250 s · ƒ/2.8 · ISO 200 · 35 mm').waitFor()
    await details.getByText('43.29551, 5.37403').waitFor()
    await imageLoaded(page, 'beach.jpg')
    expect(await viewer.getByRole('img', { name: 'beach.jpg' }).getAttribute('src')).toContain('/preview')
    await viewer.getByRole('button', { name: /Full resolution/ }).click()
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('.viewer img.media')?.naturalWidth === 1200)
    expect(await viewer.getByRole('link', { name: 'Download original' }).getAttribute('href')).toMatch(/\/original\?download$/)
    await expectNoSeriousViolations(page, 'item')
    await shots(page, 'item')

    const originals: number[] = []
    page.on('response', (r) => {
      if (r.url().includes('/original')) originals.push(r.status())
    })
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor()
    const video = page.locator('video')
    await video.waitFor()
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1)
    expect(await video.evaluate((v: HTMLVideoElement) => Math.round(v.duration))).toBe(4)
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true
      return v.play()
    })
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.2)
    const seekedTo = await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => {
          v.pause()
          v.addEventListener('seeked', () => resolve(v.currentTime), { once: true })
          v.currentTime = 3
        }),
    )
    expect(seekedTo).toBeCloseTo(3, 0)
    expect(originals).toContain(206)
    await shots(page, 'video')

    await page.keyboard.press('ArrowLeft')
    await page.getByRole('dialog', { name: 'beach.jpg' }).waitFor()
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor()
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: 'forest.jpg' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    expect(new URL(page.url()).pathname).toBe('/')
  })

  it('edits a caption (it becomes the alt text) and finds it by search, tags and a date range', async () => {
    await page.getByRole('link', { name: 'beach.jpg' }).click()
    const viewer = page.getByRole('dialog', { name: 'beach.jpg' })
    await viewer.getByLabel('Caption').fill('Sunset over the harbour')
    await viewer.getByLabel('Tags (comma separated)').fill('sea, evening')
    // Saving refreshes the timeline behind the viewer (the caption is the tile's alt text): it changes in one step.
    const thumbnails = await watchThumbnailsOnScreen(page)
    await viewer.getByRole('button', { name: 'Save' }).click()
    await viewer.getByText('Saved').waitFor()
    await viewer.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()
    await page.locator('main .tile img[alt="Sunset over the harbour"]').waitFor({ state: 'attached' })
    const whileSaving = await thumbnails()
    expect(whileSaving.atStart).toBeGreaterThan(0)
    expect(whileSaving.fewest, 'thumbnails on screen while the timeline refreshed after the save').toBe(whileSaving.atStart)
    expect(whileSaving.placeholdersNear, 'placeholders near the screen while the timeline refreshed after the save').toBe(0)
    await page.keyboard.press('Escape')

    await page.getByRole('link', { name: 'Search' }).click()
    await page.getByRole('searchbox', { name: 'Search' }).fill('harbour')
    await page.getByRole('button', { name: 'Search' }).click()
    const results = page.getByRole('list', { name: 'Search results' })
    await results.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()
    expect(await results.getByRole('listitem').count()).toBe(1)
    await page.getByRole('searchbox', { name: 'Search' }).fill('evening')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL('**/search?q=evening')
    await results.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()

    await page.getByRole('searchbox', { name: 'Search' }).fill('')
    await page.getByLabel('From').fill('2026-05-01')
    await page.getByLabel('To').fill('2026-07-31')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL('**/search?from=2026-05-01&to=2026-07-31')
    await imageLoaded(page, 'forest.jpg')
    await imageLoaded(page, 'clip.mp4')
    expect(await results.getByRole('listitem').count()).toBe(2)
    await shots(page, 'search')
  })

  it('creates an album, fills and trims it, shares it: the link works in a fresh context without login until revoked', async () => {
    await page.getByRole('link', { name: 'Albums' }).click()
    await page.getByLabel('New album').fill('Holiday')
    await page.getByRole('button', { name: 'Create album' }).click()
    await page.getByRole('heading', { name: 'Holiday' }).waitFor()
    await page.getByText('This album is empty.', { exact: false }).waitFor()

    for (const name of ['Sunset over the harbour', 'forest.jpg']) {
      await page.getByRole('link', { name: 'Photos' }).click()
      await page.getByRole('link', { name }).click()
      const viewer = page.getByRole('dialog')
      await viewer.getByLabel('Add to album').selectOption({ label: 'Holiday' })
      await viewer.getByRole('button', { name: 'Add', exact: true }).click()
      await viewer.getByText('Added to Holiday').waitFor()
      await page.keyboard.press('Escape')
    }
    await page.getByRole('link', { name: 'Albums' }).click()
    await page.getByRole('link', { name: /Holiday/ }).waitFor()
    await shots(page, 'albums')
    await page.getByRole('link', { name: /Holiday/ }).click()
    const items = page.getByRole('list', { name: 'Items of Holiday' })
    await items.getByRole('img', { name: 'forest.jpg' }).waitFor()
    expect(await items.getByRole('listitem').count()).toBe(2)

    // Removed again from the album's own view.
    await items.getByRole('link', { name: 'forest.jpg' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove from album' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.getByText('1 item', { exact: true }).waitFor()
    expect(await items.getByRole('listitem').count()).toBe(1)
    await imageLoaded(page, 'Sunset over the harbour')
    await shots(page, 'album')

    await page.getByRole('button', { name: 'Share album' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share Holiday' })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const field = dialog.getByRole('textbox', { name: 'Share link' })
    await field.waitFor()
    shareUrl = await field.inputValue()
    // The instance's public URL (--backend-image-http-public-url), as everlock serve passes it to the library.
    expect(shareUrl).toMatch(new RegExp(`^http://${PHOTOS.replace('.', '\\.')}:${e.http}/s/[A-Za-z0-9_-]{43}$`))
    await dialog.getByRole('button', { name: 'Copy link' }).click()
    // The toast (copied, or how to copy where the clipboard is refused) shows above the dialog's backdrop: hit
    // testing at its middle finds the toast, not the dialog (which is what a point on its backdrop gives).
    const toast = page.getByRole('status').filter({ hasText: /Link copied|Ctrl\+C/ })
    await toast.waitFor()
    const onTop = await toast.evaluate((el) => {
      const b = el.getBoundingClientRect()
      el.style.pointerEvents = 'auto'
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)
      el.style.pointerEvents = ''
      return hit === el || el.contains(hit)
    })
    expect(onTop, 'the toast is under the dialog backdrop').toBe(true)
    await shots(page, 'share-dialog')

    const stranger = await newPage()
    await stranger.page.goto(shareUrl)
    await stranger.page.getByRole('heading', { name: 'Holiday' }).waitFor()
    await imageLoaded(stranger.page, 'Sunset over the harbour')
    expect(await stranger.page.getByRole('listitem').count()).toBe(1)
    expect(await stranger.page.getByRole('button', { name: 'Upload' }).count()).toBe(0)
    expect(await stranger.context.cookies()).toEqual([])
    await shots(stranger.page, 'share')
    // The link shows the album and nothing else.
    const elsewhere = await stranger.page.evaluate(async () => {
      const albums = await fetch('/api/albums')
      const all = await fetch('/api/assets')
      return [albums.status, all.status]
    })
    expect(elsewhere).toEqual([401, 401])

    await dialog.getByRole('button', { name: 'Revoke link' }).click()
    await dialog.getByText('Link revoked.').waitFor()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('region', { name: 'Share links' }).getByText('No links yet.').waitFor()
    await stranger.page.reload()
    await stranger.page.getByText('This link does not exist or was revoked.').waitFor()
    await shots(stranger.page, 'share-revoked')
    const token = shareUrl.slice(shareUrl.lastIndexOf('/') + 1)
    const refused = await request({ port: e.http, host: `${PHOTOS}:${e.http}`, path: '/api/share', headers: { 'x-share-token': token } })
    expect([refused.status, refused.json()]).toEqual([404, { error: expect.objectContaining({ code: 'SHARE_NOT_FOUND' }) }])
    await stranger.context.close()
  })

  it('refuses a changing request without the CSRF token (403 CSRF_FAILED), and nothing is created', async () => {
    const result = await page.evaluate(async () => {
      const r = await fetch('/api/albums', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'sneaky' }) })
      return { status: r.status, body: (await r.json()) as { error: { code: string } } }
    })
    expect(result).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'CSRF_FAILED' }) } })
    const albums = await page.evaluate(async () => ((await (await fetch('/api/albums')).json()) as { albums: Array<{ title: string }> }).albums.map((a) => a.title))
    expect(albums).toEqual(['Holiday'])
  })

  it('deletes for owners only after a confirmation', async () => {
    await page.getByRole('link', { name: 'Photos' }).click()
    await page.getByRole('link', { name: 'city.jpg' }).click()
    await page.getByRole('dialog', { name: 'city.jpg' }).getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete city.jpg?' })
    await shot(page, 'delete-confirm-desktop')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('dialog', { name: 'city.jpg' }).getByRole('button', { name: 'Delete' }).click()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.getByText(/Deleted city\.jpg/).waitFor()
    await page.waitForFunction(() => document.querySelectorAll('.tile img').length === 3)
    expect(await page.getByRole('link', { name: 'city.jpg' }).count()).toBe(0)
  })

  it('works in a phone-sized mobile context (390×844, touch)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: origin(), storageState: await context.storageState(), isMobile: true, hasTouch: true })
    phone.setDefaultTimeout(T)
    const p = await phone.newPage()
    await p.goto('/')
    await imageLoaded(p, 'forest.jpg')
    expect(await overflow(p)).toBeLessThanOrEqual(0)
    await settled(p)
    await shot(p, 'timeline-mobile')
    await p.getByRole('link', { name: 'Sunset over the harbour' }).click()
    await p.getByRole('dialog').getByText('Everlock Cam One').waitFor()
    await p.waitForFunction(() => (document.querySelector<HTMLImageElement>('.viewer img.media')?.naturalWidth ?? 0) > 0)
    expect(await overflow(p)).toBeLessThanOrEqual(0)
    await shot(p, 'item-mobile')
    await phone.close()
  })

  it('logs out: the session is over', async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByLabel('User name').waitFor()
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(await context.cookies()).toEqual([])
    expect(await page.evaluate(async () => (await fetch('/api/session')).status)).toBe(401)
    await page.goto('/')
    await page.waitForURL('**/login')
    await context.close()
  })

  it('an instance where anon holds Reader is a public gallery: browsed without login, logging in offered, no upload', async () => {
    // One photo put there by the admin with Basic auth (as curl would), its thumbnail made.
    const host = `${PUBLIC}:${e.http}`
    const up = await request({ port: e.http, host, method: 'POST', path: '/api/assets', auth: ['admin', 'change-me'], headers: { 'x-filename': 'forest.jpg', 'content-type': 'image/jpeg' }, body: await readFile(files.forest) })
    expect(up.status).toBe(201)
    const { id } = up.json<{ id: string }>()
    await waitForDerivatives(async () => (await request({ port: e.http, host, path: `/api/assets/${id}`, auth: ['admin', 'change-me'] })).body.toString('utf8'), id, ['thumbnail', 'preview'])

    const visitor = await newPage(origin(PUBLIC))
    await visitor.page.goto('/')
    await imageLoaded(visitor.page, 'forest.jpg')
    expect(new URL(visitor.page.url()).pathname).toBe('/')
    expect(await visitor.context.cookies()).toEqual([])
    expect(await visitor.page.getByRole('button', { name: 'Upload' }).count()).toBe(0)
    const session = await visitor.page.evaluate(async () => (await fetch('/api/session')).json())
    expect(session).toMatchObject({ user: 'anon', role: 'reader', anonymous: true })
    await shots(visitor.page, 'public')
    // Its items open for the visitor too, read-only.
    await visitor.page.getByRole('link', { name: 'forest.jpg' }).click()
    const viewer = visitor.page.getByRole('dialog', { name: 'forest.jpg' })
    await imageLoaded(visitor.page, 'forest.jpg')
    expect(await viewer.getByLabel('Caption').count()).toBe(0)
    expect(await viewer.getByRole('button', { name: 'Delete' }).count()).toBe(0)
    await shots(visitor.page, 'public-item')
    await visitor.page.keyboard.press('Escape')
    // Changes still need an account with the right role.
    const post = await visitor.page.evaluate(async () => (await fetch('/api/albums', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"x"}' })).status)
    expect(post).toBe(401)
    await visitor.page.getByRole('link', { name: 'Log in' }).click()
    await logIn(visitor.page, 'bob', 'bob-password')
    // bob holds nothing on this instance, but anon's Reader counts for every user (seed 000): he gets in as a reader.
    await visitor.page.getByRole('button', { name: 'Log out' }).waitFor()
    expect(await visitor.page.getByRole('button', { name: 'Upload' }).count()).toBe(0)
    await visitor.context.close()
  })

  it(`scrolls ${MANY_N} items to the oldest with a bounded number of tiles: the timeline, then search results`, async () => {
    // Small photos a week apart (about six years of months), put there by the admin with Basic auth, four at a time.
    const host = `${MANY}:${e.http}`
    const names = Array.from({ length: MANY_N }, (_, i) => `many-${String(i).padStart(3, '0')}.jpg`)
    const taken = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 7 * 86_400_000).toISOString().slice(0, 19)
    for (let i = 0; i < MANY_N; i += 4) {
      await Promise.all(names.slice(i, i + 4).map(async (name, k) => {
        const body = await makeJpeg({ width: 96, height: 64, takenAt: taken(i + k), pattern: 'quadrants' })
        const up = await request({ port: e.http, host, method: 'POST', path: '/api/assets', auth: ['admin', 'change-me'], headers: { 'x-filename': name, 'content-type': 'image/jpeg' }, body })
        expect(up.status, name).toBe(201)
      }))
    }
    // Every thumbnail made (the oldest item must show one at the bottom).
    for (const deadline = Date.now() + SLOW; ; ) {
      const page1 = (await request({ port: e.http, host, path: '/api/assets?limit=500', auth: ['admin', 'change-me'] })).json<{ items: Array<{ derivatives: string[] }> }>()
      if (page1.items.length === MANY_N && page1.items.every((i) => i.derivatives.some((d) => d.startsWith('thumbnail')))) break
      if (Date.now() > deadline) throw new Error('thumbnails not made in time')
      await new Promise((r) => setTimeout(r, 500))
    }
    const visitor = await newPage(origin(MANY))
    const oldest = names[0]!
    /** Scroll to the bottom a screen at a time (the list grows as it goes), the most tiles and month headings seen. */
    const scrollToEnd = () => visitor.page.evaluate(async () => {
      let tiles = 0
      let months = 0
      for (let stable = 0; stable < 10; ) {
        const before = document.documentElement.scrollHeight
        window.scrollBy(0, window.innerHeight)
        await new Promise((r) => setTimeout(r, 60))
        tiles = Math.max(tiles, document.querySelectorAll('.tile').length)
        months = Math.max(months, document.querySelectorAll('.month').length)
        const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2
        stable = atEnd && document.documentElement.scrollHeight === before ? stable + 1 : 0
      }
      return { tiles, months }
    })
    const oldestOnScreen = async () => {
      await imageLoaded(visitor.page, oldest)
      const b = (await visitor.page.getByRole('img', { name: oldest, exact: true }).boundingBox())!
      expect(b.y + b.height, `${oldest} is below the screen`).toBeLessThanOrEqual(DESKTOP.height + 1)
      expect(b.y, `${oldest} is above the screen`).toBeGreaterThanOrEqual(0)
    }

    await visitor.page.goto('/')
    await imageLoaded(visitor.page, names[MANY_N - 1]!)
    const timeline = await scrollToEnd()
    await oldestOnScreen()
    // About three screens of rows at most, whatever the length; headings of the months near the screen only.
    expect(timeline.tiles).toBeGreaterThan(0)
    expect(timeline.tiles, 'tiles in the DOM while scrolling the timeline').toBeLessThanOrEqual(120)
    expect(timeline.months, 'month headings in the DOM').toBeLessThan(20)
    expect(await visitor.page.locator('.tile').count()).toBeLessThan(MANY_N / 2)
    // Keyboard: Home from the oldest tile goes back to the newest.
    await visitor.page.getByRole('link', { name: oldest, exact: true }).focus()
    await visitor.page.keyboard.press('Home')
    await visitor.page.waitForFunction((name) => document.activeElement?.querySelector('img')?.alt === name, names[MANY_N - 1]!)

    // Search results: read page after page by cursor as the end comes into view, the DOM bounded the same way.
    await visitor.page.goto('/search?q=many')
    const results = visitor.page.getByRole('list', { name: 'Search results' })
    await results.getByRole('img', { name: names[MANY_N - 1]!, exact: true }).waitFor()
    const search = await scrollToEnd()
    await oldestOnScreen()
    expect(search.tiles, 'tiles in the DOM while scrolling search results').toBeLessThanOrEqual(120)
    expect(await results.getByRole('listitem').count()).toBeLessThan(MANY_N / 2)
    // Each result says where it is in the whole list (which the DOM does not hold).
    expect(await results.getByRole('listitem').last().getAttribute('aria-setsize')).toBe(String(MANY_N))
    expect(await results.getByRole('listitem').last().getAttribute('aria-posinset')).toBe(String(MANY_N))
    await visitor.context.close()
  })
})
