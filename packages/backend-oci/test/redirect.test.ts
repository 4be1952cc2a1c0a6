// With `redirectBlobGets` and a store on S3 (a real s3rver process), blob GETs answer 307 to a presigned URL of
// the bucket, after authorisation; the bytes (and ranges) then come from the object store, not the registry.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'
import type { Authorize } from '@everlock/backend-oci'
import { startRegistry, type Running } from './helpers/server'
import { client } from './helpers/client'
import { sha256 } from './helpers/image'

const BUCKET = 'oci-redirect'
let s3: S3rver
let reg: Running
let data: Buffer
let digest: string
// Everything under "private/" is refused (the blob's bytes are in the bucket all the same).
const authorize: Authorize = async (_req, need) => (need.path.startsWith('private/') ? { ok: false, status: 403 } : { ok: true, identity: { user: 'alice' } })

beforeAll(async () => {
  s3 = await startS3rver()
  await s3.createBucket(BUCKET)
  reg = await startRegistry({ authorize, redirectBlobGets: { expiresInSeconds: 120 }, blobDriver: (store) => s3Blobs({ client: s3.client(), bucket: BUCKET, prefix: `${store}/` }) })
  data = randomBytes(300_000)
  digest = await client(reg.base).pushBlob('pub/repo', data)
})
afterAll(async () => {
  await reg?.close()
  await s3?.stop()
})

const blobUrl = (repo: string) => `${reg.base}/v2/${repo}/blobs/${digest}`

test('GET answers 307 to a presigned URL of the bucket with Docker-Content-Digest; the bytes come from there', async () => {
  const res = await fetch(blobUrl('pub/repo'), { redirect: 'manual' })
  expect(res.status).toBe(307)
  expect(res.headers.get('docker-content-digest')).toBe(digest)
  expect(res.headers.get('cache-control')).toBe('no-store')
  const location = new URL(res.headers.get('location')!)
  expect(location.origin).toBe(s3.endpoint)
  expect(location.searchParams.get('X-Amz-Expires')).toBe('120')
  const body = Buffer.from(await (await fetch(location)).arrayBuffer())
  expect(sha256(body)).toBe(digest)
  // followed the way clients do, a Range goes on to the bucket
  const part = await fetch(blobUrl('pub/repo'), { headers: { Range: 'bytes=1000-1999' } })
  expect(part.status).toBe(206)
  expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true)
})

test('HEAD, unknown blobs and refused reads are answered by the registry itself, never with a URL', async () => {
  const head = await fetch(blobUrl('pub/repo'), { method: 'HEAD', redirect: 'manual' })
  expect(head.status).toBe(200)
  expect(head.headers.get('content-length')).toBe(String(data.length))
  const denied = await fetch(blobUrl('private/repo'), { redirect: 'manual' })
  expect(denied.status).toBe(403)
  expect(denied.headers.get('location')).toBeNull()
  const unknown = await fetch(`${reg.base}/v2/pub/repo/blobs/${sha256('not pushed')}`, { redirect: 'manual' })
  expect(unknown.status).toBe(404)
  expect(((await unknown.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('BLOB_UNKNOWN')
})

test('a store without URLs (the local disk) keeps serving the bytes under the same option', async () => {
  const local = await startRegistry({ redirectBlobGets: { expiresInSeconds: 120 } })
  try {
    const d = await client(local.base).pushBlob('pub/repo', data)
    const res = await fetch(`${local.base}/v2/pub/repo/blobs/${d}`, { redirect: 'manual' })
    expect(res.status).toBe(200)
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(d)
  } finally {
    await local.close()
  }
})

test('a redirect lifetime outside 1 s – 7 days is refused when the registry is made', async () => {
  const { createOciRegistry } = await import('@everlock/backend-oci')
  for (const bad of [0, 2.5, 604801]) expect(() => createOciRegistry({ store: reg.store, redirectBlobGets: { expiresInSeconds: bad } })).toThrow(RangeError)
})
