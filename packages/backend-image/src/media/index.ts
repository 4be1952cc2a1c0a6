// The media layer's public surface inside backend-image (see types.ts). Implemented by probe.ts / derive.ts.
export type * from './types.js'
export { MediaError } from './errors.js'
export { probeMedia } from './probe.js'
export { deriveMedia } from './derive.js'
