import type { IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Authorize, Need } from '@everlock/backend-image'
import { commitsOf, startLibrary, uploadRaw, type TestLibrary } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

// The embedder's authorize: users named in a header, each with one role on the whole library.
const ROLES: Record<string, number> = { reader: 1, writer: 2, owner: 3 }
const USERS: Record<string, 'reader' | 'writer' | 'owner'> = { rita: 'reader', walt: 'writer', olga: 'owner' }
const needs: Need[] = []
const authorize: Authorize = async (req: IncomingMessage, need: Need) => {
  needs.push(need)
  const user = req.headers['x-test-user']
  if (typeof user !== 'string') return { ok: false, status: 401, challenge: 'Basic realm="images"' }
  const role = USERS[user]
  if (!role || ROLES[role]! < ROLES[need.role]!) return { ok: false, status: 403 }
  return { ok: true, identity: { user } }
}

let lib: TestLibrary
let id: string
beforeAll(async () => {
  lib = await startLibrary({ authorize, paused: true })
  const up = await uploadRaw(lib.url, await jpeg({ seed: 40 }), 'x.jpg', { 'X-Test-User': 'walt' })
  expect(up.status).toBe(201)
  id = up.body.id
})
afterAll(() => lib.close())

const as = (user: string | undefined, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), ...(user ? { 'X-Test-User': user } : {}) } })

describe('roles', () => {
  it('asks reader for GET/HEAD/OPTIONS, writer for POST/PATCH, owner for DELETE, on the whole library', async () => {
    needs.length = 0
    await fetch(`${lib.url}/api/assets`, as('rita'))
    await fetch(`${lib.url}/api/assets/${id}`, as('rita', { method: 'HEAD' }))
    await fetch(`${lib.url}/api/assets`, as('rita', { method: 'OPTIONS' }))
    await fetch(`${lib.url}/api/assets/${id}`, as('rita', { method: 'PATCH', body: '{}', headers: { 'Content-Type': 'application/json' } }))
    await fetch(`${lib.url}/api/assets/${id}`, as('rita', { method: 'DELETE' }))
    expect(needs).toEqual([
      { path: '', role: 'reader' },
      { path: '', role: 'reader' },
      { path: '', role: 'reader' },
      { path: '', role: 'writer' },
      { path: '', role: 'owner' },
    ])
  })

  it('refuses without credentials (401 with the challenge) and without the role (403), changing nothing', async () => {
    const head = await lib.store.head()
    const anon = await fetch(`${lib.url}/api/assets`)
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="images"')
    expect(((await anon.json()) as any).error.code).toBe('UNAUTHORIZED')
    const reader = await fetch(`${lib.url}/api/assets`, as('rita', { method: 'POST', body: await jpeg({ seed: 41 }) }))
    expect(reader.status).toBe(403)
    expect(((await reader.json()) as any).error.code).toBe('FORBIDDEN')
    const patch = await fetch(`${lib.url}/api/assets/${id}`, as('rita', { method: 'PATCH', body: JSON.stringify({ caption: 'no' }), headers: { 'Content-Type': 'application/json' } }))
    expect(patch.status).toBe(403)
    const del = await fetch(`${lib.url}/api/assets/${id}`, as('walt', { method: 'DELETE' }))
    expect(del.status).toBe(403)
    expect((await lib.store.head())!.id).toBe(head!.id)
  })

  it('lets a writer PATCH caption and tags (a commit by the writer) and an owner DELETE', async () => {
    const patch = await fetch(`${lib.url}/api/assets/${id}`, as('walt', { method: 'PATCH', body: JSON.stringify({ caption: '  Our cat  ', tags: ['Cat', 'cat', ' Garden '] }), headers: { 'Content-Type': 'application/json' } }))
    expect(patch.status).toBe(200)
    const body = (await patch.json()) as any
    expect(body).toMatchObject({ caption: 'Our cat', captionSource: 'person', tags: ['cat', 'garden'] })
    expect((await commitsOf(lib.store))[0]!.author).toBe('walt')
    const cleared = await fetch(`${lib.url}/api/assets/${id}`, as('walt', { method: 'PATCH', body: JSON.stringify({ caption: null }), headers: { 'Content-Type': 'application/json' } }))
    expect(((await cleared.json()) as any).caption).toBeUndefined()
    const del = await fetch(`${lib.url}/api/assets/${id}`, as('olga', { method: 'DELETE' }))
    expect(del.status).toBe(204)
    expect((await commitsOf(lib.store))[0]!.author).toBe('olga')
  })

  it('refuses bad PATCH bodies with RECORD_INVALID / CONTENT_TYPE_UNSUPPORTED', async () => {
    const up = await uploadRaw(lib.url, await jpeg({ seed: 42 }), 'y.jpg', { 'X-Test-User': 'walt' })
    const patch = (body: string, type = 'application/json') => fetch(`${lib.url}/api/assets/${up.body.id}`, as('walt', { method: 'PATCH', body, headers: { 'Content-Type': type } }))
    for (const [body, code] of [
      ['{"filename":"x"}', 'RECORD_INVALID'],
      ['{"tags":"a"}', 'RECORD_INVALID'],
      ['{"caption":5}', 'RECORD_INVALID'],
      ['{}', 'RECORD_INVALID'],
      ['[1]', 'RECORD_INVALID'],
      ['{', 'BAD_REQUEST'],
    ] as const) {
      const res = await patch(body)
      expect(res.status, body).toBe(400)
      expect(((await res.json()) as any).error.code, body).toBe(code)
    }
    const form = await patch('caption=x', 'application/x-www-form-urlencoded')
    expect([form.status, ((await form.json()) as any).error.code]).toEqual([415, 'CONTENT_TYPE_UNSUPPORTED'])
  })

  it('puts nosniff and a strict CSP on every response, errors and 404s too', async () => {
    for (const [path, init] of [
      ['/api/assets', as('rita')],
      ['/api/assets', {}],
      ['/nowhere', as('rita')],
      [`/api/assets/${id}`, as('rita', { method: 'PUT' })],
    ] as const) {
      const res = await fetch(`${lib.url}${path}`, init)
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('content-security-policy'), path).toMatch(/^default-src 'none'/)
      const body = (await res.json()) as any
      if (res.status >= 400) expect(body.error.code).toEqual(expect.any(String))
    }
    const put = await fetch(`${lib.url}/api/assets/${id}`, as('rita', { method: 'PUT' }))
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS, PATCH, DELETE'])
  })
})
