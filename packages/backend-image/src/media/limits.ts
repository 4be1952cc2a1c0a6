/** sharp's own default for limitInputPixels (0x3FFF × 0x3FFF). */
export const DEFAULT_MAX_PIXELS = 268_402_689
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000
export const DEFAULT_DERIVE_TIMEOUT_MS = 60_000

export function maxPixelsOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_MAX_PIXELS
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`maxPixels must be a positive integer, got ${String(limit)}`)
  return limit
}
