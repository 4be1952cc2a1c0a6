import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Authorize } from '@everlock/backend-oci'
import { client, errorCode } from './helpers/client'
import { startRegistry, type Running } from './helpers/server'

// "admin" may do anything; "alice" reads team/* only and writes team/dst; no credentials → 401.
const authorize: Authorize = async (req, need) => {
  const user = req.headers.authorization?.replace(/^Bearer /, '')
  if (user === 'admin') return { ok: true, identity: { user } }
  if (user !== 'alice') return { ok: false, status: 401, challenge: 'Bearer realm="test"' }
  if (need.role === 'reader' && need.path.startsWith('team/')) return { ok: true, identity: { user } }
  if (need.role === 'writer' && need.path === 'team/dst') return { ok: true, identity: { user } }
  return { ok: false, status: 403 }
}

let reg: Running
const admin = () => client(reg.base, { Authorization: 'Bearer admin' })
const alice = () => client(reg.base, { Authorization: 'Bearer alice' })
beforeAll(async () => {
  reg = await startRegistry({ authorize, uploadTtlMs: 200 })
  await admin().pushImage('team/a', 'v1')
  await admin().pushImage('other/b', 'v1')
})
afterAll(async () => {
  await reg.close()
})

test('_catalog lists only the repositories the caller may read; unauthenticated callers get the challenge', async () => {
  expect((await admin().req('GET', '/v2/_catalog')).json().repositories).toEqual(['other/b', 'team/a'])
  expect((await alice().req('GET', '/v2/_catalog')).json().repositories).toEqual(['team/a'])
  const anon = await client(reg.base).req('GET', '/v2/_catalog')
  expect(anon.status).toBe(401)
  expect(errorCode(anon)).toBe('UNAUTHORIZED')
  expect(anon.headers.get('www-authenticate')).toBe('Bearer realm="test"')
})

test('a mount from a repository the caller cannot read falls back to an upload session and links nothing', async () => {
  const digest = await admin().pushBlob('other/b', 'secret layer')
  const reply = await alice().req('POST', `/v2/team/dst/blobs/uploads/?mount=${digest}&from=other/b`)
  expect(reply.status).toBe(202)
  expect(reply.headers.get('location')).toMatch(/^\/v2\/team\/dst\/blobs\/uploads\//)
  expect(errorCode(await alice().req('HEAD', `/v2/team/dst/blobs/${digest}`))).toBeUndefined()
  expect((await alice().req('HEAD', `/v2/team/dst/blobs/${digest}`)).status).toBe(404)
})

test('refused requests change nothing in the store', async () => {
  const before = (await reg.store.head())!.seq
  expect((await alice().req('DELETE', '/v2/team/a/manifests/v1')).status).toBe(403)
  expect((await alice().req('PUT', '/v2/team/a/manifests/v2', '{}', { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })).status).toBe(403)
  expect((await client(reg.base).req('POST', '/v2/team/a/blobs/uploads/?digest=sha256:' + '0'.repeat(64), 'x')).status).toBe(401)
  expect((await reg.store.head())!.seq).toBe(before)
  expect((await admin().req('GET', '/v2/team/a/tags/list')).json().tags).toEqual(['v1'])
})

test('upload sessions untouched for uploadTtlMs are cancelled', async () => {
  const start = await admin().req('POST', '/v2/team/a/blobs/uploads/')
  const location = start.headers.get('location')!
  await admin().req('PATCH', location, 'some bytes')
  const id = location.split('/').pop()!
  expect(await reg.store.uploads.status(id)).toBeDefined()
  await new Promise((r) => setTimeout(r, 1600))
  expect(errorCode(await admin().req('GET', location))).toBe('BLOB_UPLOAD_UNKNOWN')
  expect(await reg.store.uploads.status(id)).toBeUndefined()
})

test('pingChallenge: GET /v2/ without credentials is challenged even when anonymous reads are allowed', async () => {
  const everyoneReads: Authorize = async (req, need) =>
    need.role === 'reader' ? { ok: true, identity: { user: req.headers.authorization ? 'someone' : 'anon' } } : { ok: false, status: 401, challenge: 'Basic realm="x"' }
  const open = await startRegistry({ authorize: everyoneReads, pingChallenge: 'Basic realm="x"' })
  try {
    const ping = await client(open.base).req('GET', '/v2/')
    expect(ping.status).toBe(401)
    expect(errorCode(ping)).toBe('UNAUTHORIZED')
    expect(ping.headers.get('www-authenticate')).toBe('Basic realm="x"')
    expect((await client(open.base, { Authorization: 'Basic eDp5' }).req('GET', '/v2/')).status).toBe(200)
    expect((await client(open.base).req('GET', '/v2/_catalog')).status).toBe(200) // anonymous reads go on
  } finally {
    await open.close()
  }
})
