// The gallery in Debian's chromium against a library of N items (written straight into the store in the
// library's layout, each with its own record and a real 250 px WebP thumbnail shared by all):
//  - time from navigation to the first screen of thumbnails (every tile in the viewport showing its thumbnail),
//    10,000 items, a fresh browser context (cold cache) per round, at full speed and with the CPU throttled 2×;
//  - the largest long task (PerformanceObserver 'longtask'), the tasks over 50 ms and the most DOM elements while
//    scrolling 100,000 items from top to bottom, three viewports a frame with a pause every ten frames for pages to
//    load: 100,000 items over seven years of months, and 100,000 items in one month, each at 1× and 2× CPU
//    throttling (CDP Emulation.setCPUThrottlingRate); with BENCH_TRACE=1 a Chrome trace of each scroll says what
//    the long tasks were made of (bench/long-tasks.ts);
//  - JS for the first page: the brotli bytes the server sends for every script the page loaded.
//   pnpm --filter @everlock/backend-image bench:gallery           (tsx bench/gallery.ts [firstScreenN] [scrollN])
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { get } from 'node:http'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Store } from '@everlock/versioned-storage'
import { summaryMeta } from '../src/summary.js'
import { recordPath } from '../src/layout.js'
import type { AssetRecord } from '../src/record.js'
import { launch, DESKTOP } from '../test/browser/browser.js'
import { startGallery } from '../test/browser/server.js'
import { describeProfile, longTaskProfile, TRACE_CATEGORIES } from './long-tasks.js'

const FIRST_N = Number(process.argv[2] ?? 10_000)
const SCROLL_N = Number(process.argv[3] ?? 100_000)
const ROUNDS = 5
const TRACE = !!process.env.BENCH_TRACE
const PACKAGE = fileURLToPath(new URL('../', import.meta.url))
/** ~40 items a day back from 2026: 100,000 items cover about seven years of months. */
const MANY_MONTHS = 2_160_000
/** 100,000 items 25 s apart: all in November 2026. */
const ONE_MONTH = 25_000

async function seed(store: Store, n: number, stepMs: number): Promise<void> {
  const thumb = await sharp({ create: { width: 250, height: 188, channels: 3, background: { r: 90, g: 140, b: 200 } } }).webp({ quality: 80 }).toBuffer()
  const t = await store.putBlob(Readable.from([thumb]))
  const started = performance.now()
  for (let start = 0; start < n; start += 2000) {
    const batch: number[] = []
    for (let i = start; i < Math.min(n, start + 2000); i++) batch.push(i)
    const changes = []
    for (let k = 0; k < batch.length; k += 64) {
      changes.push(...(await Promise.all(batch.slice(k, k + 64).map(async (i) => {
        const id = createHash('sha256').update(`gallery item ${i}`).digest('hex')
        const taken = new Date(Date.UTC(2026, 10, 30) - i * stepMs).toISOString()
        const record = {
          id, digest: `sha256:${id}`, size: 3_000_000, filename: `IMG_${String(i).padStart(6, '0')}.jpg`, kind: 'image', format: 'jpeg',
          mime: 'image/jpeg', width: 4000, height: 3000, takenAt: taken, takenAtSource: 'metadata', uploadedAt: taken, uploadedBy: 'bench',
          tags: [], placeholder: 'HZQBBYCHh4eIeHhwiHeIc3h4gHcH',
          derivatives: [{ name: 'thumbnail', format: 'webp', mime: 'image/webp', width: 250, height: 188, digest: t.digest, size: t.size }],
          jobs: { derive: { state: 'done' }, caption: { state: 'unavailable' } },
        } as unknown as AssetRecord
        const blob = await store.putBlob(Readable.from([Buffer.from(JSON.stringify(record))]))
        return { op: 'put' as const, path: recordPath(id), digest: blob.digest, size: blob.size, meta: summaryMeta(record) }
      }))))
    }
    await store.commit(changes, { author: 'bench', message: `items ${start}…` })
  }
  console.log(`wrote ${n} items in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

/** tsx compiles with keepNames: functions handed to page.evaluate call `__name`, which the page must have. */
const KEEP_NAMES = 'globalThis.__name = (f) => f'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface ScrollFigures {
  readonly longest: number
  readonly over50: number
  readonly maxNodes: number
  readonly maxTiles: number
  readonly height: number
  readonly seconds: number
}

async function newContext(browser: Browser, throttle: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: DESKTOP })
  await context.addInitScript(KEEP_NAMES)
  await context.addInitScript(() => {
    const w = window as unknown as { __long: number[] }
    w.__long = []
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__long.push(e.duration) }).observe({ type: 'longtask', buffered: true } as PerformanceObserverInit)
  })
  const page = await context.newPage()
  if (throttle !== 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: throttle })
  return { context, page }
}

/** Navigation → every tile in the viewport showing its thumbnail, in a fresh context (cold cache). */
async function firstScreen(browser: Browser, url: string, throttle: number): Promise<{ ms: number; scripts: string[] }> {
  const { context, page } = await newContext(browser, throttle)
  try {
    await page.goto(url + '/')
    const ms = await page.evaluate(() => new Promise<number>((resolve) => {
      const check = () => {
        const tiles = [...document.querySelectorAll<HTMLElement>('.tile')].filter((t) => {
          const b = t.getBoundingClientRect()
          return b.bottom > 0 && b.top < window.innerHeight
        })
        const done = tiles.length >= 12 && tiles.every((t) => { const img = t.querySelector('img'); return !!img && img.complete && img.naturalWidth > 0 })
        if (done) resolve(performance.now())
        else requestAnimationFrame(check)
      }
      check()
    }))
    if (process.env.BENCH_DEBUG) {
      const entries = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => `${e.startTime.toFixed(0)}→${e.responseEnd.toFixed(0)} ${e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 60)}`))
      const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return `nav ${n.requestStart.toFixed(0)}→${n.responseEnd.toFixed(0)} dcl ${n.domContentLoadedEventEnd.toFixed(0)}` })
      console.log(`  ${ms.toFixed(0)} ms; ${nav}\n    ${entries.join('\n    ')}`)
    }
    const scripts = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.initiatorType === 'script' || e.initiatorType === 'link' && e.name.endsWith('.js') || e.name.endsWith('.js')).map((e) => e.name))
    return { ms, scripts: [...new Set(scripts)] }
  } finally {
    await context.close()
  }
}

/** The bytes the server sends for these scripts to a client accepting brotli (as sent, not decoded). */
async function brotliBytes(urls: readonly string[]): Promise<number> {
  let n = 0
  for (const u of urls) {
    n += await new Promise<number>((resolve, reject) => {
      get(u, { headers: { 'accept-encoding': 'br' } }, (res) => {
        if (res.headers['content-encoding'] !== 'br') reject(new Error(`${u} was not sent brotli-compressed`))
        let bytes = 0
        res.on('data', (c: Buffer) => (bytes += c.length))
        res.on('end', () => resolve(bytes))
      }).on('error', reject)
    })
  }
  return n
}

/** Scroll the timeline from top to bottom; long tasks, DOM elements and tiles as it goes. */
async function scrollThrough(browser: Browser, url: string, throttle: number, label: string): Promise<ScrollFigures> {
  const { context, page } = await newContext(browser, throttle)
  try {
    await page.goto(url + '/')
    await page.waitForFunction(() => document.querySelectorAll('.tile img').length > 0, null, { timeout: 60_000 })
    await page.evaluate(() => { (window as unknown as { __long: number[] }).__long.length = 0 })
    if (TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES })
    const figures = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(r))
      const started = performance.now()
      let maxNodes = 0
      let maxTiles = 0
      const count = () => {
        maxNodes = Math.max(maxNodes, document.getElementsByTagName('*').length)
        maxTiles = Math.max(maxTiles, document.getElementsByClassName('tile').length)
      }
      const max = () => document.documentElement.scrollHeight - window.innerHeight
      for (let y = 0, step = 0; y < max(); y += window.innerHeight * 3, step++) {
        window.scrollTo(0, y)
        await frame()
        count()
        if (step % 10 === 9) await new Promise((r) => setTimeout(r, 150))
      }
      window.scrollTo(0, max())
      await new Promise((r) => setTimeout(r, 1000))
      count()
      const long = (window as unknown as { __long: number[] }).__long
      return { longest: Math.max(0, ...long), over50: long.length, maxNodes, maxTiles, height: document.documentElement.scrollHeight, seconds: (performance.now() - started) / 1000 }
    })
    if (TRACE) console.log(`${label}: what the long tasks were made of\n${describeProfile(longTaskProfile(await browser.stopTracing()))}`)
    // The oldest item is at the bottom: its thumbnail must show there.
    const oldest = `IMG_${String(SCROLL_N - 1).padStart(6, '0')}.jpg`
    await page.waitForFunction((alt) => [...document.querySelectorAll<HTMLImageElement>('.tile img')].some((i) => i.alt === alt && i.complete && i.naturalWidth > 0), oldest, { timeout: 30_000 })
    return figures
  } finally {
    await context.close()
  }
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(PACKAGE, 'web/build.mjs')], { stdio: 'inherit' })
  const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/.*load average/, 'load average')
  const browser = await launch()
  const rows: string[] = []
  try {
    const small = await startGallery({ publicGallery: true, seed: (s) => seed(s, FIRST_N, MANY_MONTHS) })
    try {
      for (const throttle of [1, 2]) {
        const ms: number[] = []
        let scripts: string[] = []
        for (let r = 0; r < ROUNDS; r++) ({ scripts } = await firstScreen(browser, small.url, throttle).then((f) => (ms.push(f.ms), f)))
        rows.push(`| first screen of thumbnails, ${FIRST_N} items, CPU ${throttle}× (median of ${ROUNDS} cold loads; ${uptime()}) | ${median(ms).toFixed(0)} ms (all: ${ms.map((x) => x.toFixed(0)).join(', ')}) |`)
        if (throttle === 1) rows.push(`| JS for the first page (brotli, ${scripts.length} file${scripts.length === 1 ? '' : 's'}) | ${((await brotliBytes(scripts)) / 1024).toFixed(1)} KB |`)
      }
    } finally {
      await small.close()
    }
    for (const [what, step] of [['over seven years of months', MANY_MONTHS], ['in one month', ONE_MONTH]] as const) {
      const big = await startGallery({ publicGallery: true, seed: (s) => seed(s, SCROLL_N, step) })
      try {
        for (const throttle of [1, 2]) {
          const label = `scrolling ${SCROLL_N} items ${what} top to bottom, CPU ${throttle}×`
          const f = await scrollThrough(browser, big.url, throttle, label)
          rows.push(`| ${label} (${uptime()}) | largest long task ${f.longest.toFixed(0)} ms, ${f.over50} tasks > 50 ms in ${f.seconds.toFixed(1)} s; at most ${f.maxNodes} DOM elements, ${f.maxTiles} tiles; scroll height ${(f.height / 1e6).toFixed(2)} M px |`)
          console.log(rows[rows.length - 1])
        }
      } finally {
        await big.close()
      }
    }
    console.log('')
    console.log('| case | figures |')
    console.log('| --- | --- |')
    for (const r of rows) console.log(r)
  } finally {
    await browser.close()
  }
}

await main()
