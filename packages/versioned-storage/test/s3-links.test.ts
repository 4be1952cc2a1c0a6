// Linked blobs of the S3 driver: a write of unknown digest of at least `linkAbove` bytes stays where it streamed
// (`data/<name>`) and its digest key holds a zero-byte link to it, instead of a server-side copy of every byte.
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { expect, test } from 'vitest'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { readAll } from '@everlock/versioned-storage/testing'
import { useS3rverBucket } from './helpers/s3-bucket'

const MiB = 1024 * 1024
const BUCKET = 'links-test'
const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

const s3 = useS3rverBucket(BUCKET)

let n = 0
const fresh = (): string => `l${++n}/`
const chunks = (data: Buffer, size = 512 * 1024): Readable => Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)))
const blobKey = (prefix: string, digest: string): string => `${prefix}sha256/${digest.slice(7, 9)}/${digest.slice(7)}`
const head = (key: string) => s3.raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
const driverAt = (prefix: string, linkAbove: number, sweepGraceMs = 3_600_000) =>
  s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, partSize: 5 * MiB, linkAbove, sweepGraceMs })

test('a write of unknown digest from linkAbove on: a zero-byte link names its bytes; reads, ranges, stat, list and URLs follow it; delete takes both', async () => {
  const prefix = fresh()
  const driver = driverAt(prefix, 8 * MiB)
  const data = randomBytes(11 * MiB + 3)
  const staged = await driver.stage(chunks(data))
  expect(await driver.stat(staged.digest)).toBeUndefined() // nothing visible before publish
  await staged.publish()

  const link = await head(blobKey(prefix, staged.digest))
  expect(link.ContentLength).toBe(0)
  const target = link.Metadata?.['everlock-target']
  expect(target).toMatch(new RegExp(`^${prefix}data/\\d+-[0-9a-f]{16}$`))
  expect(link.Metadata?.['everlock-size']).toBe(String(data.length))
  expect(await s3.server.keys(BUCKET, `${prefix}data/`)).toEqual([target])
  expect(await s3.server.keys(BUCKET, `${prefix}staging/`)).toEqual([]) // the marker goes once the link is there

  expect(await driver.stat(staged.digest)).toEqual({ size: data.length })
  expect((await readAll(await driver.read(staged.digest))).equals(data)).toBe(true)
  const start = 5 * MiB - 2
  expect((await readAll(await driver.read(staged.digest, { start, end: start + 9 }))).equals(data.subarray(start, start + 10))).toBe(true)
  expect((await readAll(await driver.read(staged.digest, { start: data.length - 3 }))).equals(data.subarray(-3))).toBe(true)
  const listed: string[] = []
  for await (const d of driver.list()) listed.push(d)
  expect(listed).toEqual([staged.digest])
  const url = await driver.presignGet!(staged.digest, { expiresInSeconds: 60 })
  const res = await fetch(url, { headers: { range: 'bytes=0-99' } })
  expect(res.status).toBe(206)
  expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(0, 100))).toBe(true)

  // The same bytes again (digest unknown, then known): de-duplicated against the link, nothing more stored.
  await (await driver.stage(chunks(data))).publish()
  await (await driver.stage(chunks(data), { digest: staged.digest })).publish()
  expect(await s3.server.keys(BUCKET, `${prefix}data/`)).toEqual([target])
  expect(await s3.server.keys(BUCKET, `${prefix}staging/`)).toEqual([])

  await driver.delete(staged.digest)
  expect(await driver.stat(staged.digest)).toBeUndefined()
  await expect(driver.read(staged.digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
  expect(await s3.server.keys(BUCKET, prefix)).toEqual([])
})

test('below linkAbove, and with the digest known, a blob is its own bytes under the digest key: no link, nothing left beside it', async () => {
  const prefix = fresh()
  const driver = driverAt(prefix, 16 * MiB)
  const copied = randomBytes(11 * MiB) // unknown digest, below linkAbove: staged, then copied
  const known = randomBytes(20 * MiB) // known digest, above linkAbove: a multipart upload at the digest key
  await (await driver.stage(chunks(copied))).publish()
  await (await driver.stage(chunks(known), { digest: sha(known) })).publish()
  for (const data of [copied, known]) {
    const obj = await head(blobKey(prefix, sha(data)))
    expect(obj.ContentLength).toBe(data.length)
    expect(obj.Metadata?.['everlock-target']).toBeUndefined()
  }
  expect((await s3.server.keys(BUCKET, prefix)).sort()).toEqual([blobKey(prefix, sha(copied)), blobKey(prefix, sha(known))].sort())
})

test('a discarded or failing write of unknown digest leaves neither its bytes nor its marker', async () => {
  const prefix = fresh()
  const driver = driverAt(prefix, 0)
  await (await driver.stage(chunks(randomBytes(6 * MiB)))).discard()
  async function* failing(): AsyncIterable<Uint8Array> {
    yield randomBytes(6 * MiB)
    yield randomBytes(6 * MiB)
    throw Object.assign(new Error('client went away'), { code: 'ECONNRESET' })
  }
  await expect(driver.stage(failing())).rejects.toMatchObject({ code: 'ECONNRESET' })
  expect(await s3.server.keys(BUCKET, prefix)).toEqual([])
})

test('the sweep: a marker naming the digest that links to its bytes loses only itself; any other old marker takes its bytes with it', async () => {
  const prefix = fresh()
  const driver = driverAt(prefix, 0)
  const data = randomBytes(6 * MiB)
  await (await driver.stage(chunks(data))).publish()
  const target = (await head(blobKey(prefix, sha(data)))).Metadata!['everlock-target']!
  const name = target.slice(`${prefix}data/`.length)
  const put = (key: string, body: Buffer | string) => s3.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))
  // What a kill after the link was written and before its marker was removed leaves:
  await put(`${prefix}staging/${name}`, sha(data))
  // A kill after the bytes were complete, before publish (a marker without a digest), and one whose marker names a
  // digest that is not linked to its bytes (killed before the link was written):
  const abandoned = randomBytes(1000)
  await put(`${prefix}staging/1-aaaaaaaaaaaaaaaa`, Buffer.alloc(0))
  await put(`${prefix}data/1-aaaaaaaaaaaaaaaa`, abandoned)
  await put(`${prefix}staging/2-bbbbbbbbbbbbbbbb`, sha(abandoned))
  await put(`${prefix}data/2-bbbbbbbbbbbbbbbb`, abandoned)

  expect(await driver.sweep()).toBe(0) // all younger than the grace period
  expect(await driverAt(prefix, 0, 0).sweep()).toBe(3)
  expect(await s3.server.keys(BUCKET, `${prefix}staging/`)).toEqual([])
  expect(await s3.server.keys(BUCKET, `${prefix}data/`)).toEqual([target])
  expect((await readAll(await driver.read(sha(data)))).equals(data)).toBe(true)
})

test('a link is only followed into the driver\'s own data prefix: anything else under a digest key is its bytes', async () => {
  const prefix = fresh()
  const driver = driverAt(prefix, 0)
  const secret = `${fresh()}data/x`
  await s3.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: secret, Body: 'not yours' }))
  const forged = sha(Buffer.alloc(0))
  await s3.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: blobKey(prefix, forged), Body: Buffer.alloc(0), Metadata: { 'everlock-target': secret, 'everlock-size': '9' } }))
  expect(await driver.stat(forged)).toEqual({ size: 0 })
  expect((await readAll(await driver.read(forged))).length).toBe(0)
  const res = await s3.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: secret }))
  expect(await res.Body!.transformToString()).toBe('not yours')
})
