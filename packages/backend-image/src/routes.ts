import { isAssetId } from './layout.js'

export type FileName = 'original' | 'thumbnail' | 'preview' | 'poster'

export type Route =
  | { readonly kind: 'assets' }
  | { readonly kind: 'asset'; readonly id: string }
  | { readonly kind: 'file'; readonly id: string; readonly file: FileName }
  | { readonly kind: 'caption'; readonly id: string }

export const ALLOWED: Readonly<Record<Route['kind'], readonly string[]>> = {
  assets: ['GET', 'HEAD', 'OPTIONS', 'POST'],
  asset: ['GET', 'HEAD', 'OPTIONS', 'PATCH', 'DELETE'],
  file: ['GET', 'HEAD', 'OPTIONS'],
  caption: ['OPTIONS', 'POST'],
}

const FILES = new Set<string>(['original', 'thumbnail', 'preview', 'poster'])

/** Match the path as sent (no resolving of `..` or `%2e`); undefined = not an endpoint of the library. */
export function matchRoute(path: string): Route | undefined {
  if (path === '/api/assets' || path === '/api/assets/') return { kind: 'assets' }
  const m = /^\/api\/assets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path)
  if (!m || !isAssetId(m[1]!)) return undefined
  const id = m[1]!
  if (m[2] === undefined) return { kind: 'asset', id }
  if (m[2] === 'caption') return { kind: 'caption', id }
  return FILES.has(m[2]) ? { kind: 'file', id, file: m[2] as FileName } : undefined
}

/** Role by method, as Everlock grants them: reading is reader, changing writer, deleting owner. */
export function roleFor(method: string): 'reader' | 'writer' | 'owner' {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'reader'
  return method === 'DELETE' ? 'owner' : 'writer'
}
