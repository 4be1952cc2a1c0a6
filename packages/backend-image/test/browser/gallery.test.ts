// The gallery used as a person would: Debian's chromium through playwright-core against the library in a real
// HTTP server with real auth-grants sessions. Screenshots land in test/browser/output/.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { makeJpeg, makeVideo, writeFixture } from '../media/fixtures.js'
import { CHROMIUM, DESKTOP, PHONE, launch, seriousViolations, shot } from './browser.js'
import { startGallery, type GalleryServer } from './server.js'

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url))
const T = 20_000

let server: GalleryServer
let browser: Browser
let media: string
const files: Record<string, string> = {}

beforeAll(async () => {
  // The page is the built client: build it from the current sources (esbuild, well under a second).
  execFileSync(process.execPath, [join(PACKAGE, 'web/build.mjs')], { stdio: 'pipe' })
  media = await mkdtemp(join(tmpdir(), 'everlock-gallery-media-'))
  const [beach, forest, city] = await Promise.all([
    makeJpeg({ width: 1200, height: 800, takenAt: '2026-08-14T18:30:00', camera: { make: 'Everlock', model: 'Cam One', lens: 'Prime 35mm' }, exposure: { exposureTime: '1/250', fNumber: '28/10', iso: 200, focalLength: '35/1' }, gps: { latitude: 43.29551, longitude: 5.37403 } }),
    makeJpeg({ width: 800, height: 1200, takenAt: '2026-05-02T09:15:00', pattern: 'quadrants' }),
    makeJpeg({ width: 1000, height: 750, takenAt: '2025-12-24T20:00:00' }),
  ])
  files.beach = await writeFixture(media, 'beach.jpg', beach)
  files.forest = await writeFixture(media, 'forest.jpg', forest)
  files.city = await writeFixture(media, 'city.jpg', city)
  files.clip = await makeVideo(join(media, 'clip.mp4'), { format: 'mp4', width: 320, height: 240, seconds: 4, creationTime: '2026-07-01T12:00:00Z' })
  server = await startGallery({
    users: [
      { name: 'alice', password: 'alice-password', role: 'owner' },
      { name: 'bob', password: 'bob-password' },
    ],
  })
  browser = await launch()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (media) await rm(media, { recursive: true, force: true })
})

async function newPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: server.url })
  context.setDefaultTimeout(T)
  const page = await context.newPage()
  page.on('pageerror', (err) => console.error('page error:', err))
  return { context, page }
}

async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(user)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
}

async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const violations = await seriousViolations(page)
  expect(violations, `${where}: ${JSON.stringify(violations, null, 1)}`).toEqual([])
}

/** An image of that accessible name is on the page with real pixels (asked afresh: rows are re-created as lists refresh). */
async function imageLoaded(page: Page, name: string): Promise<void> {
  await page.getByRole('img', { name, exact: true }).first().waitFor()
  await page.waitForFunction((alt) => [...document.querySelectorAll('img')].some((i) => i.alt === alt && i.complete && i.naturalWidth > 0), name, { timeout: 45_000 })
}

// Skipped only outside CI on a machine without chromium; CI (setup.sh installs it) must run it.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('the gallery in chromium', () => {
  let page: Page
  let context: BrowserContext
  let shareUrl = ''

  it('refuses a wrong password and a user without Reader, with clear messages, then logs in', async () => {
    ;({ context, page } = await newPage())
    await page.goto('/')
    await page.waitForURL('**/login')
    await expect(page.getByRole('heading', { name: 'Photos' }).isVisible()).resolves.toBe(true)
    await shot(page, 'login-desktop')
    await expectNoSeriousViolations(page, 'login')

    await logIn(page, 'alice', 'wrong-password')
    await page.getByText('Wrong user name or password.').waitFor()
    await logIn(page, 'bob', 'bob-password')
    await page.getByText('This account has no access to this photo library.').waitFor()
    await shot(page, 'login-refused-desktop')

    await logIn(page, 'alice', 'alice-password')
    await page.getByText('No photos yet').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name === 'everlock_session')
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Lax')
  })

  it('uploads three photos and a video through the file chooser and shows their thumbnails as they are made', async () => {
    const chooser = page.waitForEvent('filechooser')
    await page.getByRole('button', { name: 'Upload' }).click()
    await (await chooser).setFiles([files.beach!, files.forest!, files.city!, files.clip!])
    const uploads = page.getByRole('region', { name: /upload/i })
    await uploads.getByRole('heading', { name: '4 files uploaded' }).waitFor({ timeout: 60_000 })
    await expect(uploads.getByRole('progressbar', { name: 'Overall upload progress' }).getAttribute('value')).resolves.toBe(await uploads.getByRole('progressbar', { name: 'Overall upload progress' }).getAttribute('max'))
    await page.waitForFunction(() => document.querySelectorAll('.upload-status').length === 4 && [...document.querySelectorAll('.upload-status')].every((s) => s.textContent === 'Ready'), null, { timeout: 60_000 })
    for (const name of ['beach.jpg', 'forest.jpg', 'city.jpg', 'clip.mp4']) await imageLoaded(page, name)
    // Newest first, grouped by month.
    const months = await page.locator('.month').allTextContents()
    expect(months).toEqual(['August 2026', 'July 2026', 'May 2026', 'December 2025'].map((m) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${m} 15 UTC`))))

    // The same bytes again: reported as a duplicate, not a new item.
    const again = page.waitForEvent('filechooser')
    await page.getByRole('button', { name: 'Upload' }).click()
    await (await again).setFiles([files.city!])
    await uploads.getByText('Duplicate: already in the library').waitFor()
    await uploads.getByRole('button', { name: 'Hide' }).click()

    // Dropped on the page: the same path (these bytes again under another name, so again a duplicate).
    const dropped = await page.evaluateHandle((b64) => {
      const bin = atob(b64)
      const bytes = new Uint8Array(bin.length)
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
      const data = new DataTransfer()
      data.items.add(new File([bytes], 'city-again.jpg', { type: 'image/jpeg' }))
      return data
    }, (await readFile(files.city!)).toString('base64'))
    for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('main', type, { dataTransfer: dropped })
    await uploads.getByText('city-again.jpg').waitFor()
    await uploads.getByText('Duplicate: already in the library').waitFor()
    await uploads.getByRole('button', { name: 'Hide' }).click()
    await expect(page.locator('.tile img').count()).resolves.toBe(4)
    await shot(page, 'timeline-desktop')
    await expectNoSeriousViolations(page, 'timeline')
  })

  it('opens an item with its metadata, moves with the arrow keys, plays and seeks the video', async () => {
    await page.getByRole('link', { name: 'beach.jpg' }).click()
    const viewer = page.getByRole('dialog', { name: 'beach.jpg' })
    await viewer.waitFor()
    expect(new URL(page.url()).pathname).toMatch(/^\/item\/[0-9a-f]{64}$/)
    const details = viewer.getByRole('complementary', { name: 'Details' })
    await details.getByText('Everlock Cam One').waitFor()
    await details.getByText('1/250 s · ƒ/2.8 · ISO 200 · 35 mm').waitFor()
    await details.getByText('43.29551, 5.37403').waitFor()
    await imageLoaded(page, 'beach.jpg')
    const preview = await viewer.getByRole('img', { name: 'beach.jpg' }).getAttribute('src')
    expect(preview).toContain('/preview')
    await viewer.getByRole('button', { name: /Full resolution/ }).click()
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('.viewer img.media')?.naturalWidth === 1200)
    await expect(viewer.getByRole('link', { name: 'Download original' }).getAttribute('href')).resolves.toMatch(/\/original\?download$/)
    await shot(page, 'item-desktop')
    await expectNoSeriousViolations(page, 'item')

    const ranges: number[] = []
    page.on('response', (r) => {
      if (r.url().includes('/original')) ranges.push(r.status())
    })
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor()
    const video = page.locator('video')
    await video.waitFor()
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1)
    expect(await video.evaluate((v: HTMLVideoElement) => Math.round(v.duration))).toBe(4)
    await video.evaluate((v: HTMLVideoElement) => { v.muted = true; return v.play() })
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.2)
    await video.evaluate((v: HTMLVideoElement) => new Promise<void>((resolve) => {
      v.pause()
      v.addEventListener('seeked', () => resolve(), { once: true })
      v.currentTime = 3
    }))
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(3, 0)
    expect(ranges).toContain(206)
    await shot(page, 'video-desktop')

    await page.keyboard.press('ArrowLeft')
    await page.getByRole('dialog', { name: 'beach.jpg' }).waitFor()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: 'forest.jpg' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    expect(new URL(page.url()).pathname).toBe('/')
  })

  it('edits a caption, which becomes the alt text and is found by search, also by date range', async () => {
    await page.getByRole('link', { name: 'beach.jpg' }).click()
    const viewer = page.getByRole('dialog', { name: 'beach.jpg' })
    await viewer.getByLabel('Caption').fill('Sunset over the harbour')
    await viewer.getByLabel('Tags (comma separated)').fill('sea, evening')
    await viewer.getByRole('button', { name: 'Save' }).click()
    await viewer.getByText('Saved').waitFor()
    await viewer.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()
    await page.keyboard.press('Escape')

    await page.getByRole('link', { name: 'Search' }).click()
    await page.getByRole('searchbox', { name: 'Search' }).fill('harbour')
    await page.getByRole('button', { name: 'Search' }).click()
    const results = page.getByRole('list', { name: 'Search results' })
    await results.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()
    await expect(results.getByRole('listitem').count()).resolves.toBe(1)
    await page.getByRole('searchbox', { name: 'Search' }).fill('evening')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL('**/search?q=evening')
    await results.getByRole('img', { name: 'Sunset over the harbour' }).waitFor()

    await page.getByRole('searchbox', { name: 'Search' }).fill('')
    await page.getByLabel('From').fill('2026-05-01')
    await page.getByLabel('To').fill('2026-07-31')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL('**/search?from=2026-05-01&to=2026-07-31')
    await results.getByRole('img', { name: 'forest.jpg' }).waitFor()
    await results.getByRole('img', { name: 'clip.mp4' }).waitFor()
    await expect(results.getByRole('listitem').count()).resolves.toBe(2)
    await shot(page, 'search-desktop')
  })

  it('creates an album, adds items, shares it by link that works without login until revoked', async () => {
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
    await page.getByRole('link', { name: /Holiday/ }).click()
    const items = page.getByRole('list', { name: 'Items of Holiday' })
    await items.getByRole('img', { name: 'forest.jpg' }).waitFor()
    await expect(items.getByRole('listitem').count()).resolves.toBe(2)

    // Remove one again from the album's own view.
    await items.getByRole('link', { name: 'forest.jpg' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove from album' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await expect(items.getByRole('listitem').count()).resolves.toBe(1)
    await page.getByText('1 item', { exact: true }).waitFor()
    await shot(page, 'album-desktop')

    await page.getByRole('button', { name: 'Share album' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share Holiday' })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const field = dialog.getByRole('textbox', { name: 'Share link' })
    await field.waitFor()
    shareUrl = await field.inputValue()
    expect(shareUrl).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/)
    await dialog.getByRole('button', { name: 'Copy link' }).click()
    await shot(page, 'share-dialog-desktop')

    const stranger = await newPage()
    const url = shareUrl.startsWith('http') ? shareUrl : server.url + shareUrl
    await stranger.page.goto(url)
    await stranger.page.getByRole('heading', { name: 'Holiday' }).waitFor()
    await imageLoaded(stranger.page, 'Sunset over the harbour')
    await expect(stranger.page.getByRole('listitem').count()).resolves.toBe(1)
    await expect(stranger.page.getByRole('button', { name: 'Upload' }).count()).resolves.toBe(0)
    await shot(stranger.page, 'share-desktop')
    // The link shows the album and nothing else.
    const other = await stranger.page.evaluate(async () => (await fetch('/api/albums')).status)
    expect(other).toBeGreaterThanOrEqual(401)

    await dialog.getByRole('button', { name: 'Revoke link' }).click()
    await dialog.getByText('Link revoked.').waitFor()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('region', { name: 'Share links' }).getByText('No links yet.').waitFor()
    await stranger.page.reload()
    await stranger.page.getByText('This link does not exist or was revoked.').waitFor()
    await stranger.context.close()
  })

  it('refuses a changing request without the CSRF token', async () => {
    const result = await page.evaluate(async () => {
      const r = await fetch('/api/albums', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'sneaky' }) })
      return { status: r.status, body: await r.json() }
    })
    expect(result.status).toBe(403)
    expect(result.body.error.code).toBe('CSRF_FAILED')
    const albums = await page.evaluate(async () => (await (await fetch('/api/albums')).json()).albums.map((a: { title: string }) => a.title))
    expect(albums).toEqual(['Holiday'])
  })

  it('deletes for owners only after confirmation', async () => {
    await page.getByRole('link', { name: 'Photos' }).click()
    await page.getByRole('link', { name: 'city.jpg' }).click()
    await page.getByRole('dialog', { name: 'city.jpg' }).getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete city.jpg?' })
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('dialog', { name: 'city.jpg' }).getByRole('button', { name: 'Delete' }).click()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.getByText(/Deleted city\.jpg/).waitFor()
    await page.waitForFunction(() => document.querySelectorAll('.tile img').length === 3)
    await expect(page.getByRole('link', { name: 'city.jpg' }).count()).resolves.toBe(0)
  })

  it('lays out on a phone', async () => {
    const phone = await browser.newContext({ viewport: PHONE, baseURL: server.url, storageState: await context.storageState(), isMobile: true, hasTouch: true })
    phone.setDefaultTimeout(T)
    const p = await phone.newPage()
    await p.goto('/')
    await imageLoaded(p, 'forest.jpg')
    const overflow = async () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(await overflow()).toBeLessThanOrEqual(0)
    await shot(p, 'timeline-phone')
    await p.getByRole('link', { name: 'Sunset over the harbour' }).click()
    await p.getByRole('dialog').getByText('Everlock Cam One').waitFor()
    await p.waitForFunction(() => (document.querySelector<HTMLImageElement>('.viewer img.media')?.naturalWidth ?? 0) > 0)
    await shot(p, 'item-phone')
    await p.keyboard.press('Escape')
    await p.getByRole('link', { name: 'Search' }).click()
    await shot(p, 'search-phone')
    await p.getByRole('link', { name: 'Albums' }).click()
    await p.getByRole('link', { name: /Holiday/ }).waitFor()
    await shot(p, 'albums-phone')
    await phone.close()
    const fresh = await newPage(PHONE)
    await fresh.page.goto('/')
    await fresh.page.getByLabel('User name').waitFor()
    expect(await fresh.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    await shot(fresh.page, 'login-phone')
    await fresh.context.close()
  })

  it('logs out: the session is over', async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByLabel('User name').waitFor()
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(await page.evaluate(async () => (await fetch('/api/session')).status)).toBe(401)
    await page.goto('/')
    await page.waitForURL('**/login')
    await context.close()
  })
})

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('a public gallery (anon holds Reader)', () => {
  it('shows the timeline without login, offers login, and no upload', async () => {
    const open = await startGallery({ publicGallery: true, users: [{ name: 'alice', password: 'alice-password', role: 'owner' }] })
    try {
      const context = await browser.newContext({ viewport: DESKTOP, baseURL: open.url })
      context.setDefaultTimeout(T)
      const page = await context.newPage()
      await page.goto('/')
      await page.getByText('No photos yet').waitFor()
      expect(new URL(page.url()).pathname).toBe('/')
      await expect(page.getByRole('button', { name: 'Upload' }).count()).resolves.toBe(0)
      await page.getByRole('link', { name: 'Log in' }).click()
      await logIn(page, 'alice', 'alice-password')
      await page.getByRole('button', { name: 'Upload' }).waitFor()
      await shot(page, 'public-after-login-desktop')
      await context.close()
    } finally {
      await open.close()
    }
  })
})
