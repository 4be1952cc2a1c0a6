import type { DerivativeSpec, DerivedSet, MediaInfo } from './types.js'
import { MediaError } from './errors.js'

/**
 * Every derivative in `specs` from one decode of the file at `path` (auto-rotated by EXIF orientation,
 * metadata stripped), plus the placeholder. Videos: from a poster frame.
 */
export async function deriveMedia(path: string, info: MediaInfo, specs: readonly DerivativeSpec[]): Promise<DerivedSet> {
  void path; void info; void specs
  throw new MediaError('MEDIA_TOOL_FAILED', 'deriveMedia: not implemented yet')
}
