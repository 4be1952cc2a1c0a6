// The gallery in Debian's chromium against a library of N items (written straight into the store in the
// library's layout, each with its own record and a real 250 px WebP thumbnail shared by all):
//  - time from navigation to the first screen of thumbnails (every tile in the viewport showing its thumbnail),
//    10,000 items, a fresh browser context (cold cache) per round;
//  - the largest long task (PerformanceObserver 'longtask') and the most DOM nodes while scrolling 100,000
//    items from top to bottom, three viewports a frame with a pause every ten frames for pages to load;
//  - JS transferred for the first page (compressed bytes of every script response).
//   pnpm --filter @everlock/backend-image bench:gallery           (tsx bench/gallery.ts [firstScreenN] [scrollN])
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import type { Store } from '@everlock/versioned-storage'
import { summaryMeta } from '../src/summary.js'
import { recordPath } from '../src/layout.js'
import type { AssetRecord } from '../src/record.js'
import { launch, DESKTOP } from '../test/browser/browser.js'
import { startGallery } from '../test/browser/server.js'

const FIRST_N = Number(process.argv[2] ?? 10_000)
const SCROLL_N = Number(process.argv[3] ?? 100_000)
const ROUNDS = 5
const PACKAGE = fileURLToPath(new URL('../', import.meta.url))

async function seed(store: Store, n: number): Promise<void> {
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
        // ~40 items a day back from 2026: 100,000 items cover about seven years of months.
        const taken = new Date(Date.UTC(2026, 10, 30) - i * 2_160_000).toISOString()
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

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(PACKAGE, 'web/build.mjs')], { stdio: 'inherit' })
  const browser = await launch()
  try {
    // First screen of thumbnails, 10,000 items.
    const small = await startGallery({ publicGallery: true, seed: (s) => seed(s, FIRST_N) })
    const firsts: number[] = []
    let js = 0
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const context = await browser.newContext({ viewport: DESKTOP })
        await context.addInitScript(KEEP_NAMES)
        const page = await context.newPage()
        await page.goto(small.url + '/')
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
        firsts.push(ms)
        if (process.env.BENCH_DEBUG) {
          const entries = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => `${e.startTime.toFixed(0)}→${e.responseEnd.toFixed(0)} ${e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 60)}`))
          const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return `nav ${n.requestStart.toFixed(0)}→${n.responseEnd.toFixed(0)} dcl ${n.domContentLoadedEventEnd.toFixed(0)}` })
          console.log(`round ${r}: ${ms.toFixed(0)} ms; ${nav}\n  ${entries.join('\n  ')}`)
        }
        js = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js')).reduce((n, e) => n + e.encodedBodySize, 0))
        await context.close()
      }
    } finally {
      await small.close()
    }

    // Scrolling 100,000 items top to bottom.
    const big = await startGallery({ publicGallery: true, seed: (s) => seed(s, SCROLL_N) })
    let scroll: { longest: number; longTasks: number; maxNodes: number; height: number; seconds: number }
    try {
      const context = await browser.newContext({ viewport: DESKTOP })
      await context.addInitScript(KEEP_NAMES)
      await context.addInitScript(() => {
        const w = window as unknown as { __long: number[] }
        w.__long = []
        new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__long.push(e.duration) }).observe({ type: 'longtask', buffered: true } as PerformanceObserverInit)
      })
      const page = await context.newPage()
      await page.goto(big.url + '/')
      await page.waitForFunction(() => document.querySelectorAll('.tile img').length > 0)
      await page.evaluate(() => { (window as unknown as { __long: number[] }).__long.length = 0 })
      scroll = await page.evaluate(async () => {
        const frame = () => new Promise((r) => requestAnimationFrame(r))
        const started = performance.now()
        let maxNodes = 0
        const max = () => document.documentElement.scrollHeight - window.innerHeight
        for (let y = 0, step = 0; y < max(); y += window.innerHeight * 3, step++) {
          window.scrollTo(0, y)
          await frame()
          maxNodes = Math.max(maxNodes, document.getElementsByTagName('*').length)
          if (step % 10 === 9) await new Promise((r) => setTimeout(r, 150))
        }
        window.scrollTo(0, max())
        await new Promise((r) => setTimeout(r, 1000))
        maxNodes = Math.max(maxNodes, document.getElementsByTagName('*').length)
        const long = (window as unknown as { __long: number[] }).__long
        return { longest: Math.max(0, ...long), longTasks: long.length, maxNodes, height: document.documentElement.scrollHeight, seconds: (performance.now() - started) / 1000 }
      })
      const lastLoaded = await page.evaluate(() => document.querySelectorAll('.tile img').length)
      if (lastLoaded === 0) throw new Error('no thumbnails at the bottom of the timeline')
      await context.close()
    } finally {
      await big.close()
    }

    console.log('')
    console.log('| measure | figure |')
    console.log('| --- | --- |')
    console.log(`| first screen of thumbnails, ${FIRST_N} items (median of ${ROUNDS} cold loads) | ${median(firsts).toFixed(0)} ms (all: ${firsts.map((x) => x.toFixed(0)).join(', ')}) |`)
    console.log(`| largest long task scrolling ${SCROLL_N} items top to bottom | ${scroll.longest.toFixed(0)} ms (${scroll.longTasks} long tasks in ${scroll.seconds.toFixed(1)} s) |`)
    console.log(`| most DOM elements while scrolling (scroll height ${(scroll.height / 1e6).toFixed(2)} M px) | ${scroll.maxNodes} |`)
    console.log(`| JS transferred for the first page (compressed) | ${(js / 1024).toFixed(1)} KB |`)
  } finally {
    await browser.close()
  }
}

await main()
