// One thumbnail tile: the ThumbHash placeholder (decoded here, cached) under a lazily loaded thumbnail.
import { thumbHashToAverageRGBA, thumbHashToDataURL } from 'thumbhash'
import { fileUrl, type Summary } from './api.js'
import { h } from './dom.js'

const placeholders = new Map<string, string>()

function hashBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}

function placeholderUrl(s: Summary): string | undefined {
  if (!s.placeholder) return undefined
  let url = placeholders.get(s.id)
  if (url === undefined) {
    try {
      url = thumbHashToDataURL(hashBytes(s.placeholder))
    } catch {
      url = ''
    }
    if (placeholders.size > 2000) placeholders.delete(placeholders.keys().next().value!)
    placeholders.set(s.id, url)
  }
  return url || undefined
}

// Decoding a ThumbHash to pixels costs about a millisecond on a slow core, so a screen of tiles would be one long
// task: a tile gets the hash's average colour at once (nearly free) and its blurred picture from a queue worked
// through in slices of a few milliseconds, newest tiles first, skipping tiles gone or already showing their image.
const pending: Array<{ el: HTMLElement; s: Summary }> = []
let draining = false
const SLICE_MS = 6

function drain(): void {
  const end = performance.now() + SLICE_MS
  while (pending.length > 0 && performance.now() < end) {
    const { el, s } = pending.pop()!
    if (!el.isConnected || el.classList.contains('loaded')) continue
    const url = placeholderUrl(s)
    if (url) el.style.backgroundImage = `url("${url}")`
  }
  if (pending.length > 0) setTimeout(drain, 0)
  else draining = false
}

function placeholder(el: HTMLElement, s: Summary): void {
  if (!s.placeholder) return
  const cached = placeholders.get(s.id)
  if (cached) {
    el.style.backgroundImage = `url("${cached}")`
    return
  }
  try {
    const { r, g, b } = thumbHashToAverageRGBA(hashBytes(s.placeholder))
    el.style.backgroundColor = `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`
  } catch {
    return
  }
  pending.push({ el, s })
  if (pending.length > 400) pending.splice(0, pending.length - 400)
  if (!draining) {
    draining = true
    setTimeout(drain, 0)
  }
}

export function altText(s: { readonly caption?: string; readonly filename: string }): string {
  return s.caption || s.filename
}

export function hasDerivative(s: Pick<Summary, 'derivatives'>, name: string): boolean {
  return s.derivatives.some((d) => (typeof d === 'string' ? d.slice(0, d.indexOf('.')) : d.name) === name)
}

export function hasThumbnail(s: Summary): boolean {
  return hasDerivative(s, 'thumbnail')
}

/** Start loading the thumbnails `tile(…, soon = false)` held back under `root`. */
export function wake(root: ParentNode): void {
  for (const img of root.querySelectorAll<HTMLImageElement>('img[data-src]')) {
    img.src = img.dataset.src!
    img.removeAttribute('data-src')
  }
}

/** A link to the item with its thumbnail; `soon`: on screen now (load at once), else near it (held back until `wake`).
 * Clicks are the list's to handle (one listener for all its tiles). */
export function tile(s: Summary, href: string, soon = true): HTMLAnchorElement {
  const a = h('a.tile', { href, 'data-id': s.id })
  placeholder(a, s)
  if (hasThumbnail(s)) {
    const url = fileUrl(s.id, 'thumbnail')
    const img = h('img', { src: soon ? url : undefined, 'data-src': soon ? undefined : url, alt: altText(s), decoding: 'async', draggable: 'false', fetchpriority: soon ? 'high' : 'low' })
    img.addEventListener('load', () => a.classList.add('loaded'), { once: true })
    a.append(img)
  } else {
    a.setAttribute('aria-label', `${altText(s)} (${s.state === 'failed' ? 'no thumbnail' : 'processing'})`)
    a.append(h('span.pending', {}, s.state === 'failed' ? 'No preview' : 'Processing…'))
  }
  if (s.kind === 'video') a.append(h('span.badge', { 'aria-hidden': 'true' }, s.durationSeconds ? duration(s.durationSeconds) : '▶'))
  return a
}

export function duration(seconds: number): string {
  const s = Math.round(seconds)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}
