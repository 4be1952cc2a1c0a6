import type { MediaInfo, ProbeLimits } from './types.js'
import { MediaError } from './errors.js'

/** What the file at `path` is, by its content; throws MediaError (MEDIA_UNSUPPORTED, MEDIA_CORRUPT, MEDIA_TOO_LARGE). */
export async function probeMedia(path: string, limits: ProbeLimits = {}): Promise<MediaInfo> {
  void path; void limits
  throw new MediaError('MEDIA_TOOL_FAILED', 'probeMedia: not implemented yet')
}
