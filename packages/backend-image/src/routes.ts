import { isAssetId } from './layout.js'
import type { Role } from './types.js'

export type FileName = 'original' | 'thumbnail' | 'preview' | 'poster'

export type Route =
  | { readonly kind: 'assets' }
  | { readonly kind: 'asset'; readonly id: string }
  | { readonly kind: 'file'; readonly id: string; readonly file: FileName }
  | { readonly kind: 'caption'; readonly id: string }
  | { readonly kind: 'timeline' }
  | { readonly kind: 'session' }
  | { readonly kind: 'albums' }
  | { readonly kind: 'album'; readonly id: string }
  | { readonly kind: 'shares' }
  | { readonly kind: 'shareItem'; readonly id: string }
  | { readonly kind: 'share' }

export const ALLOWED: Readonly<Record<Route['kind'], readonly string[]>> = {
  assets: ['GET', 'HEAD', 'OPTIONS', 'POST'],
  asset: ['GET', 'HEAD', 'OPTIONS', 'PATCH', 'DELETE'],
  file: ['GET', 'HEAD', 'OPTIONS'],
  caption: ['OPTIONS', 'POST'],
  timeline: ['GET', 'HEAD', 'OPTIONS'],
  session: ['GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE'],
  albums: ['GET', 'HEAD', 'OPTIONS', 'POST'],
  album: ['GET', 'HEAD', 'OPTIONS', 'PATCH', 'DELETE'],
  shares: ['GET', 'HEAD', 'OPTIONS', 'POST'],
  shareItem: ['OPTIONS', 'DELETE'],
  share: ['GET', 'HEAD', 'OPTIONS'],
}

const FILES = new Set<string>(['original', 'thumbnail', 'preview', 'poster'])
/** Album ids: 12 random bytes, base64url. */
export const ALBUM_ID = /^[A-Za-z0-9_-]{16}$/
/** Share ids: the hex sha256 of the share's token. */
export const SHARE_ID = /^[0-9a-f]{64}$/

const FIXED: Readonly<Record<string, Route>> = {
  '/api/assets': { kind: 'assets' },
  '/api/timeline': { kind: 'timeline' },
  '/api/session': { kind: 'session' },
  '/api/albums': { kind: 'albums' },
  '/api/shares': { kind: 'shares' },
  '/api/share': { kind: 'share' },
}

/** Match the path as sent (no resolving of `..` or `%2e`); undefined = not an endpoint of the library. */
export function matchRoute(path: string): Route | undefined {
  const fixed = FIXED[path.endsWith('/') ? path.slice(0, -1) : path]
  if (fixed) return fixed
  const named = /^\/api\/(albums|shares)\/([^/]+)\/?$/.exec(path)
  if (named) {
    const [, kind, id] = named as unknown as [string, string, string]
    if (kind === 'albums') return ALBUM_ID.test(id) ? { kind: 'album', id } : undefined
    return SHARE_ID.test(id) ? { kind: 'shareItem', id } : undefined
  }
  const m = /^\/api\/assets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path)
  if (!m || !isAssetId(m[1]!)) return undefined
  const id = m[1]!
  if (m[2] === undefined) return { kind: 'asset', id }
  if (m[2] === 'caption') return { kind: 'caption', id }
  return FILES.has(m[2]) ? { kind: 'file', id, file: m[2] as FileName } : undefined
}

/** Role by method, as Everlock grants them: reading is reader, changing writer, deleting owner. */
export function roleFor(method: string): Role {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'reader'
  return method === 'DELETE' ? 'owner' : 'writer'
}

/** The role a request needs on the instance: by method, except that share links are a writer's business throughout. */
export function needFor(route: Route, method: string): Role {
  if (route.kind === 'shares' || route.kind === 'shareItem') return method === 'OPTIONS' ? 'reader' : 'writer'
  return roleFor(method)
}
