// serveWebAsset over HTTP without a browser: which requests it answers, with which headers and bodies.
import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GALLERY_CSP, serveWebAsset } from '../../src/web-assets.js'

let server: Server
let base = ''

beforeAll(async () => {
  execFileSync(process.execPath, [join(fileURLToPath(new URL('../../', import.meta.url)), 'web/build.mjs')], { stdio: 'pipe' })
  server = createServer((req, res) => {
    if (!serveWebAsset(req, res)) {
      res.statusCode = 599
      res.end('not mine')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const html = { Accept: 'text/html,application/xhtml+xml' }

describe('serveWebAsset', () => {
  it('answers app routes that want HTML with index.html, the strict CSP and no caching', async () => {
    for (const path of ['/', '/item/' + 'a'.repeat(64), '/albums/x', '/s/token', '/search?q=x', '/login']) {
      const r = await fetch(base + path, { headers: html })
      expect(r.status, path).toBe(200)
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(r.headers.get('content-security-policy')).toBe(GALLERY_CSP)
      expect(r.headers.get('cache-control')).toBe('no-cache')
      expect(r.headers.get('x-content-type-options')).toBe('nosniff')
      expect(r.headers.get('referrer-policy')).toBe('same-origin')
      const body = await r.text()
      expect(body).toMatch(/<script type="module" src="\/app\/app-[A-Z0-9]+\.js"><\/script>/)
      expect(body).not.toMatch(/<script>|<style|style=/)
    }
  })

  it('preloads what the page reads first: the session (not for share links or the login page), the timeline data on /', async () => {
    const link = async (path: string) => (await fetch(base + path, { headers: html })).headers.get('link')
    const preload = (url: string) => `<${url}>; rel=preload; as=fetch; crossorigin=anonymous`
    expect(await link('/')).toBe([preload('/api/session'), preload('/api/timeline'), preload('/api/assets?limit=200')].join(', '))
    for (const path of ['/albums', '/search?q=x', '/item/' + 'a'.repeat(64)]) expect(await link(path), path).toBe(preload('/api/session'))
    for (const path of ['/s/token', '/s/token/item/' + 'a'.repeat(64), '/login']) expect(await link(path), path).toBeNull()
  })

  it('serves hashed files immutable, compressed as the client accepts, and nothing else under /app/', async () => {
    const index = await (await fetch(base + '/', { headers: html })).text()
    const js = /src="(\/app\/app-[A-Z0-9]+\.js)"/.exec(index)![1]!
    const plain = await fetch(base + js, { headers: { 'Accept-Encoding': 'identity' } })
    expect(plain.status).toBe(200)
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const source = Buffer.from(await plain.arrayBuffer())
    const raw = async (encoding: string) => {
      const { request } = await import('node:http')
      return new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        request(base + js, { headers: { 'Accept-Encoding': encoding } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }))
        }).on('error', reject).end()
      })
    }
    const br = await raw('gzip, br')
    expect(br.encoding).toBe('br')
    expect(brotliDecompressSync(br.body).equals(source)).toBe(true)
    const gz = await raw('gzip, br;q=0')
    expect(gz.encoding).toBe('gzip')
    expect(gunzipSync(gz.body).equals(source)).toBe(true)
    for (const path of ['/app/nope.js', '/app/index.html', '/app/..%2Fpackage.json', '/app/a%00.js', '/app/']) {
      expect((await fetch(base + path)).status, path).toBe(404)
    }
  })

  it('leaves /api/, non-HTML requests and changing methods to the library', async () => {
    expect((await fetch(base + '/api/assets', { headers: html })).status).toBe(599)
    expect((await fetch(base + '/', { headers: { Accept: 'application/json' } })).status).toBe(599)
    expect((await fetch(base + '/', { method: 'POST', headers: html })).status).toBe(599)
  })
})
