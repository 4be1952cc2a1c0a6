// One thumbnail tile: the ThumbHash placeholder (decoded here, cached) under a lazily loaded thumbnail.
import { thumbHashToDataURL } from 'thumbhash'
import { fileUrl, type Summary } from './api.js'
import { h } from './dom.js'

const placeholders = new Map<string, string>()

function placeholderUrl(s: Summary): string | undefined {
  if (!s.placeholder) return undefined
  let url = placeholders.get(s.id)
  if (url === undefined) {
    try {
      const bin = atob(s.placeholder)
      const bytes = new Uint8Array(bin.length)
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
      url = thumbHashToDataURL(bytes)
    } catch {
      url = ''
    }
    if (placeholders.size > 2000) placeholders.delete(placeholders.keys().next().value!)
    placeholders.set(s.id, url)
  }
  return url || undefined
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

/** A link to the item with its thumbnail; `href` is the route the viewer opens. */
export function tile(s: Summary, href: string, onOpen: (e: MouseEvent) => void): HTMLAnchorElement {
  const a = h('a.tile', { href, 'data-id': s.id, onclick: onOpen as (e: Event) => void })
  const ph = placeholderUrl(s)
  if (ph) a.style.backgroundImage = `url("${ph}")`
  if (hasThumbnail(s)) {
    const img = h('img', { src: fileUrl(s.id, 'thumbnail'), alt: altText(s), loading: 'lazy', decoding: 'async', draggable: 'false' })
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
