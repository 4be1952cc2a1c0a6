import { Readable } from 'node:stream'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Authorize } from '@everlock/backend-oci'
import { client, errorCode } from './helpers/client'
import { sha256 } from './helpers/image'
import { startRegistry, type Running } from './helpers/server'

// The user is whatever the Bearer token says; everyone may push anywhere.
const authorize: Authorize = async (req) => {
  const user = req.headers.authorization?.replace(/^Bearer /, '')
  return user ? { ok: true, identity: { user } } : { ok: false, status: 401, challenge: 'Bearer realm="t"' }
}

let reg: Running
const as = (user: string) => client(reg.base, { Authorization: `Bearer ${user}` })
const open = (user: string, repo = 'cap/app') => as(user).req('POST', `/v2/${repo}/blobs/uploads/`)
beforeAll(async () => {
  reg = await startRegistry({ authorize, maxUploadsPerUser: 3 })
})
afterAll(async () => {
  await reg.close()
})

/** Back-date a store upload's record, as if it had been left alone for `ms`. */
async function age(id: string, ms: number): Promise<void> {
  const key = `upload/${id}`
  const meta = JSON.parse((await reg.store.state.get(key))!) as Record<string, unknown>
  const then = new Date(Date.now() - ms).toISOString()
  await reg.store.state.put(key, JSON.stringify({ ...meta, startedAt: then, updatedAt: then }))
}

test('a user past the cap of open sessions gets 429 TOOMANYREQUESTS with Retry-After; others and monolithic pushes go on', async () => {
  const opened = await Promise.all(Array.from({ length: 8 }, () => open('carol'))) // racing POSTs cannot slip past the count
  expect(opened.map((r) => r.status).sort()).toEqual([202, 202, 202, 429, 429, 429, 429, 429])
  const refused = opened.find((r) => r.status === 429)!
  expect(errorCode(refused)).toBe('TOOMANYREQUESTS')
  expect(refused.headers.get('retry-after')).toBe('60')
  expect(refused.json().errors[0].detail).toEqual({ limit: 3 })
  let uploads = 0
  for await (const _ of reg.store.uploads.list()) uploads++
  expect(uploads).toBe(3) // a refused POST creates nothing

  expect((await open('dave')).status).toBe(202)
  expect((await as('carol').req('POST', `/v2/cap/app/blobs/uploads/?digest=${sha256('mono')}`, 'mono')).status).toBe(201)

  // cancelling one and finishing another free their places, across a restart
  const [first, second] = opened.filter((r) => r.status === 202).map((r) => r.headers.get('location')!)
  expect((await as('carol').req('DELETE', first!)).status).toBe(204)
  expect((await as('carol').req('PUT', `${second}?digest=${sha256('')}`)).status).toBe(201)
  await reg.restart()
  expect((await open('carol')).status).toBe(202)
  expect((await open('carol')).status).toBe(202)
  expect((await open('carol')).status).toBe(429)
})

test('the sweep cancels sessions untouched past the TTL (freeing the cap) and this registry\'s uploads a crash left without a session', async () => {
  const loc = (await open('erin', 'sweep/app')).headers.get('location')!
  await as('erin').req('PATCH', loc, 'partial bytes')
  const id = loc.split('/').pop()!
  await open('erin', 'sweep/app')
  await open('erin', 'sweep/app')
  expect((await open('erin', 'sweep/app')).status).toBe(429)
  await age(id, 25 * 60 * 60 * 1000)

  // crash between the store upload and its session record: an `oci` upload nobody can reach
  const lost = await reg.store.uploads.create({ meta: { by: 'oci', repository: 'sweep/app', user: 'erin' } })
  await reg.store.uploads.append(lost.id, Readable.from([Buffer.alloc(4096)]))
  await age(lost.id, 5 * 60 * 1000)
  const opening = await reg.store.uploads.create({ meta: { by: 'oci', repository: 'sweep/app', user: 'erin' } }) // within the grace
  const foreign = await reg.store.uploads.create({ meta: { by: 'someone-else' } })
  await age(foreign.id, 5 * 60 * 1000)

  expect(await reg.registry.sweepUploads()).toEqual({ sessions: 1, unrecorded: 1 })
  expect(errorCode(await as('erin').req('GET', loc))).toBe('BLOB_UPLOAD_UNKNOWN')
  expect(await reg.store.uploads.status(id)).toBeUndefined()
  expect(await reg.store.uploads.status(lost.id)).toBeUndefined()
  expect(await reg.store.uploads.status(opening.id)).toBeDefined()
  expect(await reg.store.uploads.status(foreign.id)).toBeDefined()
  expect((await open('erin', 'sweep/app')).status).toBe(202) // the expired session no longer counts
})

test('maxUploadsPerUser must be a whole number of at least 1', async () => {
  const { createOciRegistry } = await import('@everlock/backend-oci')
  expect(() => createOciRegistry({ store: reg.store, maxUploadsPerUser: 0 })).toThrow(RangeError)
})
