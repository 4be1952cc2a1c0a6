import { existsSync, readFileSync, readdirSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { preloadHeader } from './web-preload.js'

/** The policy of every HTML response of the gallery: nothing from elsewhere, no inline script or style. */
export const GALLERY_CSP =
  "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

interface WebFile {
  readonly body: Buffer
  readonly br?: Buffer
  readonly gz?: Buffer
  readonly type: string
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
}

let files: ReadonlyMap<string, WebFile> | undefined

/** The built client: dist/web/ next to the bundle (dist/index.js), or ../dist/web/ when running from src/. */
function webDir(): string | undefined {
  for (const rel of ['./web/', '../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(join(dir, 'index.html'))) return dir
  }
  return undefined
}

/** Read once: the built files are small and never change while the process runs. */
function load(): ReadonlyMap<string, WebFile> {
  if (files) return files
  const map = new Map<string, WebFile>()
  const dir = webDir()
  if (dir) {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.br') || name.endsWith('.gz')) continue
      const type = TYPES[name.slice(name.lastIndexOf('.'))]
      if (!type) continue
      const read = (suffix: string) => (existsSync(join(dir, name + suffix)) ? readFileSync(join(dir, name + suffix)) : undefined)
      const br = read('.br')
      const gz = read('.gz')
      map.set(name, { body: readFileSync(join(dir, name)), type, ...(br ? { br } : {}), ...(gz ? { gz } : {}) })
    }
  }
  files = map
  return map
}

function accepts(req: IncomingMessage, encoding: string): boolean {
  const header = req.headers['accept-encoding']
  return typeof header === 'string' && header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';')
    return name!.trim().toLowerCase() === encoding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))
  })
}

function commonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

function send(req: IncomingMessage, res: ServerResponse, file: WebFile, cache: string): void {
  let body = file.body
  commonHeaders(res)
  res.setHeader('Content-Type', file.type)
  res.setHeader('Cache-Control', cache)
  res.setHeader('Vary', 'Accept-Encoding')
  if (file.br && accepts(req, 'br')) {
    body = file.br
    res.setHeader('Content-Encoding', 'br')
  } else if (file.gz && accepts(req, 'gzip')) {
    body = file.gz
    res.setHeader('Content-Encoding', 'gzip')
  }
  res.setHeader('Content-Length', body.length)
  res.statusCode = 200
  res.end(req.method === 'HEAD' ? undefined : body)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  commonHeaders(res)
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Cache-Control', 'no-cache')
  res.end(text)
}

/**
 * Serves the gallery web app: `/app/<hashed file>` (immutable) and `index.html` for every other GET/HEAD outside
 * `/api/` that accepts HTML (the client's routes). Returns false for requests it does not answer (the library's).
 * No authorization: the login page must load; all data is under `/api/`.
 */
export function serveWebAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method ?? 'GET'
  if (method !== 'GET' && method !== 'HEAD') return false
  const path = (req.url ?? '/').split('?')[0]!
  if (path === '/api' || path.startsWith('/api/')) return false
  if (path.startsWith('/app/')) {
    const name = path.slice('/app/'.length)
    const file = /^[A-Za-z0-9._-]+$/.test(name) && name !== 'index.html' ? load().get(name) : undefined
    if (!file) sendText(res, 404, 'no such file\n')
    else send(req, res, file, 'public, max-age=31536000, immutable')
    return true
  }
  const accept = req.headers.accept ?? ''
  if (!accept.includes('text/html')) return false
  const index = load().get('index.html')
  res.setHeader('Content-Security-Policy', GALLERY_CSP)
  if (!index) {
    sendText(res, 503, 'the gallery is not built (run the package build)\n')
    return true
  }
  const preload = preloadHeader(path)
  if (preload) res.setHeader('Link', preload)
  send(req, res, index, 'no-cache')
  return true
}
