import type { DerivativeSpec, MediaInfo } from './types.js'

/** A small grid thumbnail: 250 px WebP. */
export const THUMBNAIL_SPEC: DerivativeSpec = Object.freeze({ name: 'thumbnail', maxSize: 250, format: 'webp', quality: 80 })
/** The large preview: 1440 px JPEG (mozjpeg). */
export const PREVIEW_SPEC: DerivativeSpec = Object.freeze({ name: 'preview', maxSize: 1440, format: 'jpeg', quality: 82 })
/** The optional AVIF preview, same size as the JPEG one. */
export const AVIF_SPEC: DerivativeSpec = Object.freeze({ name: 'avif', maxSize: 1440, format: 'avif', quality: 50 })
/** Videos: the poster frame itself, 1920 px JPEG. */
export const POSTER_SPEC: DerivativeSpec = Object.freeze({ name: 'poster', maxSize: 1920, format: 'jpeg', quality: 85 })

/** What the library makes for every item by default: thumbnail + preview. */
export const DEFAULT_DERIVATIVE_SPECS: readonly DerivativeSpec[] = Object.freeze([THUMBNAIL_SPEC, PREVIEW_SPEC])

/** The specs for one item: the defaults, AVIF when asked, and the poster for videos. */
export function derivativeSpecsFor(info: Pick<MediaInfo, 'kind'>, options: { avif?: boolean } = {}): DerivativeSpec[] {
  const specs = [...DEFAULT_DERIVATIVE_SPECS]
  if (options.avif) specs.push(AVIF_SPEC)
  if (info.kind === 'video') specs.push(POSTER_SPEC)
  return specs
}

/** Throws TypeError for a spec that is not one (a programmer error, not a media error). */
export function checkSpecs(specs: readonly DerivativeSpec[]): void {
  const names = new Set<string>()
  for (const spec of specs) {
    if (!Number.isSafeInteger(spec.maxSize) || spec.maxSize < 1) throw new TypeError(`${spec.name}: maxSize must be a positive integer`)
    if (spec.quality !== undefined && (!Number.isInteger(spec.quality) || spec.quality < 1 || spec.quality > 100)) throw new TypeError(`${spec.name}: quality must be 1..100`)
    if (!['webp', 'jpeg', 'avif'].includes(spec.format)) throw new TypeError(`${spec.name}: unknown format ${String(spec.format)}`)
    if (names.has(spec.name)) throw new TypeError(`${spec.name}: named twice`)
    names.add(spec.name)
  }
}
