import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Placeholder until the web app lands (owned by the web-app helper): serves nothing, so the router answers
 * 404 for non-/api/ paths. The real one serves index.html and /app/<file> with their own headers.
 */
export function serveWebAsset(_req: IncomingMessage, _res: ServerResponse): boolean {
  return false
}
