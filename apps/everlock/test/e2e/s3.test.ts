// `everlock serve` with every store's bytes on S3 (config/storage.toml → a real s3rver process): a skopeo push
// and pull with identical digests, the layers in the bucket and none on the local disk; with `redirect_gets` the
// pull (skopeo follows the 307s) and a library original (curl -L) come from presigned bucket URLs; a missing
// bucket fails start-up with a clear error.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS3rver, S3RVER_CREDENTIALS, type S3rver } from '@everlock/versioned-storage/s3rver'
import { built, Child, Everlock, freePort, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { buildLayout, readLayout, type Layout } from '../helpers/image.js'
import { skopeo } from '../helpers/tools.js'
import { curl, makeMedia, waitForDerivatives } from '../helpers/media.js'

const MiB = 1024 * 1024

function storageToml(dir: string, endpoint: string, bucket: string): void {
  mkdirSync(join(dir, 'config'), { recursive: true })
  const redirect = 'redirect_gets = true\nredirect_ttl_seconds = 120\n'
  writeFileSync(join(dir, 'config', 'storage.toml'), `[s3.objects]\nendpoint = "${endpoint}"\nbucket = "${bucket}"\nprefix = "everlock/"\n${redirect}\n[stores]\n"*" = "objects"\n`)
}

/** The status and Location of a GET, not followed. */
async function redirectOf(port: number, host: string, url: string): Promise<{ status: number; location: URL | undefined }> {
  const res = await curl(port, host, ['-u', 'admin:change-me', '-D', '-', '-o', '/dev/null', url])
  const location = /^location: (\S+)/im.exec(res.body)?.[1]
  return { status: res.status, location: location ? new URL(location) : undefined }
}

describe.skipIf(!built)('everlock serve with the stores on S3 (s3rver)', () => {
  let server: S3rver
  let dir: string
  let everlock: Everlock
  let image: Layout

  beforeAll(async () => {
    // credentials through the SDK's normal chain: the environment the server inherits
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey
    server = await startS3rver()
    await server.createBucket('everlock')
    dir = tempDir('s3')
    storageToml(dir, server.endpoint, 'everlock')
    image = buildLayout(join(dir, 'image'), 'demo', 2, 12 * MiB) // layers above one 8 MiB part
    // the registry and a media library, both on the bucket
    everlock = await Everlock.start(dir, {
      args: (http, ssh) => seedArgs(dir, http, ssh, ['--backend-image-http', '--backend-image-http-vhost', 'photos.localhost']),
    })
  })
  afterAll(async () => {
    const exit = await everlock?.stop()
    expect(exit?.code).toBe(0)
    await server?.stop()
    if (dir) removeDir(dir)
  })

  it('skopeo pushes and pulls with identical digests; the layers are objects in the bucket, not local files', async () => {
    expect(everlock.proc.output).toMatch(new RegExp(`store everlock-oci-local: blobs in s3 bucket everlock at ${server.endpoint}`))
    const admin = skopeo(join(dir, 'admin.json'))
    expect((await admin.login(everlock.registry, 'admin', 'change-me')).ok).toBe(true)
    const pushed = await admin.push(`${image.dir}:${image.tag}`, `${everlock.registry}/admin/big:demo`)
    expect(pushed.ok, pushed.stderr).toBe(true)
    const out = join(dir, 'pulled')
    mkdirSync(out)
    const pulled = await admin.pull(`${everlock.registry}/admin/big:demo`, `${out}:demo`)
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect(readLayout(out)).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests })
    // that pull's layers came from the bucket: blob GETs answer 307 to a presigned URL of the object
    const layer = image.layerDigests[0]!
    const blobGet = await redirectOf(everlock.http, 'localhost', `http://${everlock.registry}/v2/admin/big/blobs/${layer}`)
    expect(blobGet.status).toBe(307)
    expect(blobGet.location?.origin).toBe(server.endpoint)
    expect(blobGet.location?.pathname).toBe(`/everlock/everlock/everlock-oci-local/sha256/${layer.slice(7, 9)}/${layer.slice(7)}`)

    const keys = await server.keys('everlock', 'everlock/everlock-oci-local/sha256/')
    for (const digest of image.layerDigests) expect(keys).toContain(`everlock/everlock-oci-local/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`)
    expect(existsSync(join(dir, 'data', 'stores', 'everlock-oci-local', 'blobs'))).toBe(false) // no bytes on the local disk
  })

  it('the media library on S3: an upload and its thumbnail and preview, all objects in the bucket', async () => {
    const { jpeg } = await makeMedia(dir)
    const url = (path: string): string => `http://photos.localhost:${everlock.http}${path}`
    const up = await curl(everlock.http, 'photos.localhost', ['-u', 'admin:change-me', '-H', 'X-Filename: photo.jpg', '--data-binary', `@${jpeg}`, url('/api/assets')])
    expect(up.status).toBe(201)
    const { id } = JSON.parse(up.body) as { id: string }
    const record = await waitForDerivatives(async () => (await curl(everlock.http, 'photos.localhost', ['-u', 'admin:change-me', url(`/api/assets/${id}`)])).body, id, ['thumbnail', 'preview'])
    const thumb = await curl(everlock.http, 'photos.localhost', ['-u', 'admin:change-me', '-o', '/dev/null', url(`/api/assets/${id}/thumbnail`)])
    expect(thumb.status).toBe(200)
    const keys = await server.keys('everlock', 'everlock/everlock-image/sha256/')
    expect(keys).toContain(`everlock/everlock-image/sha256/${id.slice(0, 2)}/${id}`)
    for (const d of record['derivatives'] as Array<{ digest: string }>) expect(keys).toContain(`everlock/everlock-image/sha256/${d.digest.slice(7, 9)}/${d.digest.slice(7)}`)
    expect(existsSync(join(dir, 'data', 'stores', 'everlock-image', 'blobs'))).toBe(false)

    // the original: 307 to the bucket; curl -L gets the very bytes with the file's type and name
    const original = url(`/api/assets/${id}/original`)
    expect((await redirectOf(everlock.http, 'photos.localhost', original)).location?.origin).toBe(server.endpoint)
    const saved = join(dir, 'original.jpg')
    const got = await curl(everlock.http, 'photos.localhost', ['-u', 'admin:change-me', '-L', '-D', '-', '-o', saved, original])
    expect(got.status).toBe(200)
    expect(got.body).toMatch(/^content-type: image\/jpeg/im)
    expect(got.body).toMatch(/^content-disposition: inline; filename="photo.jpg"/im)
    expect(readFileSync(saved).equals(readFileSync(jpeg))).toBe(true)
    expect(everlock.proc.output).not.toContain('X-Amz-Signature') // presigned URLs are never logged
  })

  it('survives a restart: the image pulls again from the bucket', async () => {
    const exit = await everlock.stop()
    expect(exit.code).toBe(0)
    everlock = await everlock.restart()
    const out = join(dir, 'pulled-again')
    mkdirSync(out)
    const pulled = await skopeo(join(dir, 'admin.json')).pull(`${everlock.registry}/admin/big:demo`, `${out}:demo`)
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect(readLayout(out).layerDigests).toEqual(image.layerDigests)
  })

  it('a bucket that does not exist stops start-up with BUCKET_MISSING naming endpoint and bucket', async () => {
    const other = tempDir('s3-missing')
    try {
      storageToml(other, server.endpoint, 'no-such-bucket')
      const child = Child.spawn(seedArgs(other, await freePort(), await freePort()), other)
      const exit = await child.exited
      expect(exit.code).toBe(1)
      expect(exit.output).toMatch(/BUCKET_MISSING/)
      expect(exit.output).toContain(server.endpoint)
      expect(exit.output).toContain('no-such-bucket')
    } finally {
      removeDir(other)
    }
  })
})
