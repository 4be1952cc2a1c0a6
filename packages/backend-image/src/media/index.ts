// The media layer's public surface inside backend-image (see types.ts). Implemented by probe.ts / derive.ts.
export type * from './types.js'
export { MediaError } from './errors.js'
export { probeMedia } from './probe.js'
export { deriveMedia } from './derive.js'
// Additions by the media layer: the library's default derivative specs and the default pixel limit.
export { AVIF_SPEC, DEFAULT_DERIVATIVE_SPECS, POSTER_SPEC, PREVIEW_SPEC, THUMBNAIL_SPEC, derivativeSpecsFor } from './specs.js'
export { DEFAULT_MAX_PIXELS } from './limits.js'
// Addition: the sniffer alone, for refusing an upload by its first bytes before storing the rest.
export { SNIFF_BYTES, sniffFormat, type Sniffed } from './sniff.js'
