// What the gallery reads first, shared by the server and the client (web/): the HTML answer names these in a
// `Link: rel=preload` header, so the browser asks for them while it is still loading the module, and the client's
// own fetch of the same URL is answered from that preload instead of starting only once the module has run.

export const SESSION_URL = '/api/session'
export const MONTHS_URL = '/api/timeline'
/** The newest items: the first page of the first months (the client's page of the timeline is 200 items). */
export const NEWEST_URL = '/api/assets?limit=200'

/** The URLs a page at `path` starts with: the session everywhere but share links, the timeline's data on `/`. */
export function preloadsFor(path: string): string[] {
  if (path.startsWith('/s/') || path === '/login') return []
  return path === '/' ? [SESSION_URL, MONTHS_URL, NEWEST_URL] : [SESSION_URL]
}

/** The `Link` header value for those URLs (credentials as the client's same-origin fetch sends them). */
export function preloadHeader(path: string): string | undefined {
  const urls = preloadsFor(path)
  return urls.length ? urls.map((u) => `<${u}>; rel=preload; as=fetch; crossorigin=anonymous`).join(', ') : undefined
}
