// Debian's chromium driven by playwright-core (no browser download), for the gallery bench (bench/gallery.ts). The
// gallery's browser tests, with axe-core and screenshots, are the app's: apps/everlock/test/helpers/browser.ts.
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const DESKTOP = { width: 1280, height: 800 }

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives every launch a fresh temporary profile (user-data-dir) and adds --headless itself.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
