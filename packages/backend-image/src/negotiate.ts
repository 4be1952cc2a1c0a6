import type { StoredDerivative } from './record.js'

const MIME = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' } as const
/** Preference among equally acceptable formats: smallest first. */
const ORDER = ['avif', 'webp', 'jpeg'] as const

export type ImageFormat = (typeof ORDER)[number]

export const isImageFormat = (value: string): value is ImageFormat => (ORDER as readonly string[]).includes(value)

/** q-value of a media type under an Accept header (absent header: everything at 1). */
function quality(accept: string | undefined, mime: string): number {
  if (accept === undefined || accept.trim() === '') return 1
  let best = -1
  let specificity = -1
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean)
    const value = q ? Number(q[1]) : 1
    const spec = range === mime ? 2 : range === `${mime.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1
    if (spec > specificity) {
      specificity = spec
      best = Number.isFinite(value) ? value : 0
    }
  }
  return best < 0 ? 0 : best
}

/** The derivative to send among `available`: `format` when asked for, else the best by Accept. */
export function chooseDerivative(available: readonly StoredDerivative[], accept: string | undefined, format?: ImageFormat): StoredDerivative | undefined {
  if (format) return available.find((d) => d.format === format)
  let chosen: StoredDerivative | undefined
  let chosenQ = 0
  for (const f of ORDER) {
    const d = available.find((x) => x.format === f)
    if (!d) continue
    const q = quality(accept, MIME[f])
    if (q > chosenQ) {
      chosen = d
      chosenQ = q
    }
  }
  return chosen
}
