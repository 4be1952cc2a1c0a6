// With `redirectOriginals` and the library's store on S3 (a real s3rver process), GETs of an original answer 307
// to a presigned URL of the bucket that keeps the file's type and name; everything else is answered here.
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'
import { openJobQueue, type JobQueue } from '@everlock/jobs'
import { createImageLibrary, type ImageLibrary } from '@everlock/backend-image'
import { closeServer, uploadRaw } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

const BUCKET = 'image-redirect'
let s3: S3rver
let dir: string
let stores: Stores
let jobs: JobQueue
let library: ImageLibrary
let server: Server
let url: string
let id: string
let bytes: Buffer

beforeAll(async () => {
  s3 = await startS3rver()
  await s3.createBucket(BUCKET)
  dir = await mkdtemp(join(tmpdir(), 'image-redirect-'))
  stores = await openStores({ dir: join(dir, 'data'), blobDriver: (store) => s3Blobs({ client: s3.client(), bucket: BUCKET, prefix: `${store}/` }) })
  jobs = await openJobQueue({ dir: join(dir, 'jobs') }) // not started: no derived work is needed here
  // Reads of an item's files are refused to requests carrying `x-deny`.
  library = createImageLibrary({
    store: await stores.open('images'),
    jobs,
    redirectOriginals: { expiresInSeconds: 90 },
    authorize: async (req) => (req.headers['x-deny'] ? { ok: false, status: 403 } : { ok: true, identity: { user: 'alice' } }),
  })
  await library.ready
  server = createServer(library)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  bytes = await jpeg({ seed: 9, width: 320, height: 200 })
  id = (await uploadRaw(url, bytes, 'beach day.jpg')).body.id
})
afterAll(async () => {
  if (server) await closeServer(server)
  await library?.close()
  await jobs?.close({ timeoutMs: 5000 })
  await stores?.close()
  await s3?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const original = (query = '') => `${url}/api/assets/${id}/original${query}`

test('GET of an original answers 307 to the bucket; the URL serves the bytes with the type and file name', async () => {
  const res = await fetch(original(), { redirect: 'manual' })
  expect(res.status).toBe(307)
  expect(res.headers.get('cache-control')).toBe('no-store')
  const location = new URL(res.headers.get('location')!)
  expect(location.origin).toBe(s3.endpoint)
  expect(location.searchParams.get('X-Amz-Expires')).toBe('90')
  const direct = await fetch(location)
  expect(direct.status).toBe(200)
  expect(direct.headers.get('content-type')).toBe('image/jpeg')
  expect(direct.headers.get('content-disposition')).toBe(`inline; filename="beach day.jpg"; filename*=UTF-8''beach%20day.jpg`)
  expect(Buffer.from(await direct.arrayBuffer()).equals(bytes)).toBe(true)
  const download = await fetch(original('?download=1'))
  expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="beach day.jpg"/)
  const part = await fetch(original(), { headers: { Range: 'bytes=10-19' } })
  expect(part.status).toBe(206)
  expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
})

test('HEAD, If-None-Match and refused requests are answered by the library, never with a URL', async () => {
  const head = await fetch(original(), { method: 'HEAD', redirect: 'manual' })
  expect(head.status).toBe(200)
  expect(head.headers.get('content-length')).toBe(String(bytes.length))
  const cached = await fetch(original(), { redirect: 'manual', headers: { 'If-None-Match': `"sha256:${id}"` } })
  expect(cached.status).toBe(304)
  const denied = await fetch(original(), { redirect: 'manual', headers: { 'x-deny': '1' } })
  expect(denied.status).toBe(403)
  expect(denied.headers.get('location')).toBeNull()
})

test('a redirect lifetime outside 1 s – 7 days is refused when the library is made', async () => {
  for (const bad of [0, 2.5, 604801]) expect(() => createImageLibrary({ store: { name: 'x' } as never, jobs, redirectOriginals: { expiresInSeconds: bad } })).toThrow(RangeError)
})
