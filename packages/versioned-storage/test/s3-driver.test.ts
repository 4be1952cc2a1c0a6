// What only the S3 driver has: its key layout and stored bytes, errors at open naming endpoint and bucket, the
// sweep's grace period, retries through injected faults, and the copy above the single-copy limit.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { describe, expect, test } from 'vitest'
import { isStorageError, openStores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { readAll } from '@everlock/versioned-storage/testing'
import { S3RVER_CREDENTIALS } from '@everlock/versioned-storage/s3rver'
import { startFaultProxy } from './helpers/fault-proxy'
import { useS3rverBucket } from './helpers/s3-bucket'

const MiB = 1024 * 1024
const BUCKET = 'driver-test'
const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`
const hexOf = (digest: string): string => digest.slice('sha256:'.length)

const s3 = useS3rverBucket(BUCKET)

let n = 0
const fresh = (): string => `t${++n}/`

function parts(data: Buffer, size: number): Readable {
  const out: Buffer[] = []
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size))
  return Readable.from(out)
}

async function rawBytes(key: string): Promise<Buffer> {
  const res = await s3.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return readAll(res.Body as AsyncIterable<Uint8Array>)
}

test('blobs are stored as plain bytes under <prefix>sha256/<ab>/<hex>, one PUT or many parts alike', async () => {
  const prefix = fresh()
  const driver = s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, partSize: 5 * MiB })
  for (const data of [randomBytes(1000), randomBytes(11 * MiB + 5)]) {
    const staged = await driver.stage(parts(data, 300_000))
    await staged.publish()
    const hex = hexOf(sha(data))
    // no aws-chunked framing or anything else around the bytes
    expect((await rawBytes(`${prefix}sha256/${hex.slice(0, 2)}/${hex}`)).equals(data)).toBe(true)
  }
  const listed: string[] = []
  for await (const d of driver.list()) listed.push(d)
  expect(listed).toHaveLength(2)
})

describe('a bucket that cannot be used is a clear error when the store opens', () => {
  async function openWith(client: S3Client, bucket: string): Promise<unknown> {
    const dir = await mkdtemp(join(tmpdir(), 'vs-s3-open-'))
    const stores = await openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket, prefix: `${name}/` }) })
    try {
      return await stores.open('s').then(
        () => undefined,
        (err: unknown) => err,
      )
    } finally {
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    }
  }

  test('missing bucket: BUCKET_MISSING naming endpoint and bucket', async () => {
    const err = await openWith(s3.server.client(), 'no-such-bucket')
    expect(err).toMatchObject({ code: 'BUCKET_MISSING' })
    expect((err as Error).message).toContain(s3.server.endpoint)
    expect((err as Error).message).toContain('no-such-bucket')
  })

  test('refused credentials: BUCKET_FORBIDDEN', async () => {
    const err = await openWith(s3.server.client({ credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'nope' } }), BUCKET)
    expect(err).toMatchObject({ code: 'BUCKET_FORBIDDEN' })
    expect((err as Error).message).toContain(BUCKET)
  })

  test('nothing listening: BUCKET_UNREACHABLE', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    const { s3Client } = await import('@everlock/versioned-storage/s3')
    const client = s3Client({ endpoint: `http://127.0.0.1:${port}`, credentials: S3RVER_CREDENTIALS, maxAttempts: 2 })
    const err = await openWith(client, BUCKET)
    client.destroy()
    expect(isStorageError(err, 'BUCKET_UNREACHABLE')).toBe(true)
    expect((err as Error).message).toContain(`127.0.0.1:${port}`)
  })
})

test('the sweep removes staging objects older than the grace period and leaves younger ones', async () => {
  const prefix = fresh()
  const key = `${prefix}staging/${Date.now()}-abandoned`
  await s3.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('left by a killed writer') }))
  const exists = () => s3.raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false)
  expect(await s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, sweepGraceMs: 3_600_000 }).sweep()).toBe(0)
  expect(await exists()).toBe(true)
  expect(await s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, sweepGraceMs: 0 }).sweep()).toBe(1)
  expect(await exists()).toBe(false)
})

test('unfinished multipart uploads older than the grace period are aborted by the sweep', async (ctx) => {
  const probe = await s3.raw.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })).catch((err: unknown) => err)
  if ((probe as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 501) {
    ctx.skip('s3rver does not implement ListMultipartUploads (501), so the sweep cannot see unfinished uploads there')
  }
  const prefix = fresh()
  const driver = s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, partSize: 5 * MiB, sweepGraceMs: 0 })
  const data = randomBytes(6 * MiB)
  const staged = await driver.stage(parts(data, MiB), { digest: sha(data) }) // an open multipart upload at the digest key
  expect(await driver.sweep()).toBe(1)
  await expect(staged.publish()).rejects.toBeDefined()
  expect(await driver.stat(sha(data))).toBeUndefined()
})

test('writes and reads go through 503 SlowDown, connection resets and a body cut mid-way', async () => {
  let puts = 0
  let gets = 0
  const proxy = await startFaultProxy(s3.server.port, (req) => {
    if (req.method === 'PUT') {
      puts++
      return puts === 2 ? 'slow-down' : puts === 4 ? 'reset' : 'pass'
    }
    if (req.method === 'GET' && req.url?.includes('/sha256/')) return ++gets === 1 ? 'cut-body' : gets === 2 ? 'slow-down' : 'pass'
    return 'pass'
  })
  try {
    const { s3Client } = await import('@everlock/versioned-storage/s3')
    const client = s3Client({ endpoint: proxy.endpoint, credentials: S3RVER_CREDENTIALS })
    const driver = s3Blobs({ client, bucket: BUCKET, prefix: fresh(), partSize: 5 * MiB, queueSize: 1 })
    const data = randomBytes(23 * MiB + 1)
    const staged = await driver.stage(parts(data, 512 * 1024), { digest: sha(data) })
    await staged.publish()
    expect((await readAll(await driver.read(sha(data)))).equals(data)).toBe(true)
    expect(proxy.injected).toEqual({ 'slow-down': 2, reset: 1, 'cut-body': 1, delay: 0 })
    client.destroy()
  } finally {
    await proxy.stop()
  }
})

test('above the single-copy limit a staged blob is copied part by part (UploadPartCopy)', async (ctx) => {
  const prefix = fresh()
  const driver = s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix, partSize: 5 * MiB, copyLimit: 5 * MiB, sweepGraceMs: 0 })
  const data = randomBytes(11 * MiB)
  const staged = await driver.stage(parts(data, MiB)) // digest unknown: staging key, copied on publish
  const refused = await staged.publish().then(
    () => undefined,
    (err: unknown) => err as { $metadata?: { httpStatusCode?: number } },
  )
  if (refused?.$metadata?.httpStatusCode === 501) {
    // What must hold even then: nothing visible under the digest, the staging object is gone.
    expect(await driver.stat(staged.digest)).toBeUndefined()
    expect(await driver.sweep()).toBe(0)
    ctx.skip('s3rver does not implement UploadPartCopy (501); runs against MinIO, Ceph RGW, Garage or AWS')
  }
  expect(refused).toBeUndefined()
  expect((await readAll(await driver.read(staged.digest))).equals(data)).toBe(true)
})

test('failures of the object store are BACKEND_FAILED (cause kept); a failing body passes through as it is', async () => {
  const proxy = await startFaultProxy(s3.server.port, (req) => (req.method === 'GET' && req.url?.includes('/sha256/') ? 'cut-body' : req.method === 'DELETE' ? 'slow-down' : 'pass'))
  try {
    const { s3Client } = await import('@everlock/versioned-storage/s3')
    const client = s3Client({ endpoint: proxy.endpoint, credentials: S3RVER_CREDENTIALS, maxAttempts: 2 })
    const driver = s3Blobs({ client, bucket: BUCKET, prefix: fresh(), readRetries: 1 })
    const data = randomBytes(300_000)
    await (await driver.stage(parts(data, 50_000))).publish()
    // every download is cut half-way: one resume, then the error
    await expect(readAll(await driver.read(sha(data)))).rejects.toMatchObject({ code: 'BACKEND_FAILED' })
    expect(proxy.injected['cut-body']).toBe(2)
    // 503 on every try
    const err = await driver.delete(sha(data)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'BACKEND_FAILED', cause: { $metadata: { httpStatusCode: 503 } } })
    async function* failing(): AsyncIterable<Uint8Array> {
      yield randomBytes(9 * MiB)
      throw Object.assign(new Error('client went away'), { code: 'ECONNRESET' })
    }
    await expect(driver.stage(failing())).rejects.toMatchObject({ code: 'ECONNRESET' })
    client.destroy()
  } finally {
    await proxy.stop()
  }
})

test('publishing bytes staged under a wrong expected digest is refused (DIGEST_MISMATCH), small or multi-part', async () => {
  const driver = s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix: fresh(), partSize: 5 * MiB })
  const claimed = sha(Buffer.from('what the client said'))
  for (const data of [randomBytes(100), randomBytes(11 * MiB)]) {
    const staged = await driver.stage(parts(data, MiB), { digest: claimed })
    await expect(staged.publish()).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
    expect(await driver.stat(claimed)).toBeUndefined()
    expect(await driver.stat(sha(data))).toBeUndefined()
  }
})

// s3rver checks a presigned URL's expiry but not its signature (a tampered signature is still served), so only
// the expiry is asserted here; the signing itself is the AWS SDK's presigner.
test('presigned GETs expire after expiresInSeconds; a lifetime outside 1 s – 7 days is refused', async () => {
  const driver = s3Blobs({ client: s3.server.client(), bucket: BUCKET, prefix: fresh() })
  const staged = await driver.stage(Readable.from([Buffer.from('short-lived')]))
  await staged.publish()
  const url = await driver.presignGet!(staged.digest, { expiresInSeconds: 1 })
  expect(url).toContain('X-Amz-Expires=1&')
  await new Promise((r) => setTimeout(r, 2100))
  expect((await fetch(url)).status).toBe(403)
  for (const bad of [0, 1.5, 7 * 24 * 3600 + 1]) {
    await expect(driver.presignGet!(staged.digest, { expiresInSeconds: bad })).rejects.toBeInstanceOf(RangeError)
  }
})
