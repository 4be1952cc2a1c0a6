// Debian's chromium driven by playwright-core (its executablePath: no browser download), axe-core injected from
// node_modules, and screenshots at desktop and phone size. Browser-side code here is typed by tsconfig.browser.json
// (DOM lib), which the app's node tsconfig leaves out.
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const DESKTOP = { width: 1280, height: 800 } as const
export const PHONE = { width: 390, height: 844 } as const

/**
 * Headless chromium with a fresh temporary profile (playwright-core's default). Every `*.localhost` name resolves
 * to 127.0.0.1 only, so vhosts need no /etc/hosts entry and nothing but loopback is ever asked.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // prettier-ignore
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-features=Translate,MediaRouter',
      '--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1'],
  })
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface Violation {
  readonly id: string
  readonly impact: string
  readonly help: string
  readonly nodes: string[]
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  // A script element would be refused by the page's CSP; evaluate runs outside it, as an extension would.
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<Result> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** How far the page is wider than its viewport (0 or less: no horizontal scrolling). */
export const overflow = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

/**
 * Until the page is still: two frames (resize observers lay out again), every image on screen that has a source
 * loaded (a grid laid out afresh makes new tiles whose thumbnails load again; a tile shows its image once it has
 * the `loaded` class) and no CSS transition running (the thumbnails' fade-in) — so a screenshot shows the page,
 * not its placeholders.
 */
export async function settled(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  // prettier-ignore
  await page.waitForFunction(() => [...document.images].every((i) => {
    const b = i.getBoundingClientRect()
    if (!(b.bottom > 0 && b.top < window.innerHeight && b.width > 0) || !i.getAttribute('src')) return true
    const tile = i.closest('.tile')
    return i.complete && (!tile || tile.classList.contains('loaded'))
  }) && !document.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running'), null, { timeout: timeoutMs, polling: 50 })
}

/** Screenshots into one folder, `<name>-desktop.png` / `<name>-phone.png`. */
export function screenshots(dir: string): { shot(page: Page, name: string): Promise<string>; both(page: Page, name: string): Promise<{ phoneOverflow: number }> } {
  mkdirSync(dir, { recursive: true })
  const shot = async (page: Page, name: string): Promise<string> => {
    const path = join(dir, `${name}.png`)
    await page.screenshot({ path })
    return path
  }
  return {
    shot,
    /**
     * The page as it is at desktop size, then the same page re-laid out at phone size (390×844), then back.
     * Resolves with the phone layout's horizontal overflow.
     */
    async both(page, name) {
      const before = page.viewportSize() ?? DESKTOP
      await settled(page)
      await shot(page, `${name}-desktop`)
      await page.setViewportSize(PHONE)
      await settled(page)
      const phoneOverflow = await overflow(page)
      await shot(page, `${name}-phone`)
      await page.setViewportSize(before)
      await settled(page)
      return { phoneOverflow }
    },
  }
}
