// One instance manager for every vhosted kind: image instances beside OCI ones, over a real frontend and stores.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth } from '@everlock/auth-grants'
import { createHttpFrontend, type HttpFrontend } from '@everlock/frontend-http'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateAcrossKinds } from '../../src/bootstrap-instances.js'
import { loadInstancesConfig, parseInstancesConfig } from '../../src/config/instances-config.js'
import { IMAGE_KIND, OCI_KIND } from '../../src/config/kinds.js'
import { isEverlockError } from '../../src/errors.js'
import { createInstances, type Instances } from '../../src/instances.js'
import { silentLog } from '../../src/log.js'
import { createOciInstances } from '../../src/oci-instances.js'
import { request } from '../helpers/http.js'

const by = { by: 'admin' }
const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (err: { code?: string }) => err.code)

function problemKeys(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (isEverlockError(err, 'CONFIG_INVALID')) return err.problems.map((p) => `${p.file}:${p.key}`)
    throw err
  }
  return []
}

describe('config/image-http.toml', () => {
  it('takes the seed example as written: store, vhosts and an optional public_url', () => {
    const text = '[instances.default]\nstore = "everlock-image"\nvhosts = ["images.example.com"]\n\n[instances.family]\nstore = "family-images"\nvhosts = ["photos.example.net"]\npublic_url = "https://photos.example.net:8443/"\n'
    expect(parseInstancesConfig(text, 'image-http.toml', IMAGE_KIND)).toEqual([
      { name: 'default', store: 'everlock-image', vhosts: ['images.example.com'] },
      { name: 'family', store: 'family-images', vhosts: ['photos.example.net'], publicUrl: 'https://photos.example.net:8443' },
    ])
    expect(parseInstancesConfig('[instances.x]\nvhosts = ["x.localhost"]\n', 'f', IMAGE_KIND)[0]!.store).toBe('everlock-image-x')
  })

  it('refuses a bad public_url, and public_url in oci-http.toml', () => {
    expect(problemKeys(() => parseInstancesConfig('[instances.a]\nvhosts=["a"]\npublic_url = "ftp://a"\n', 'image-http.toml', IMAGE_KIND))).toEqual(['image-http.toml:instances.a.public_url'])
    expect(problemKeys(() => parseInstancesConfig('[instances.a]\nvhosts=["a"]\npublic_url = "https://a?x=1"\n', 'image-http.toml', IMAGE_KIND))).toEqual(['image-http.toml:instances.a.public_url'])
    expect(problemKeys(() => parseInstancesConfig('[instances.a]\nvhosts=["a"]\npublic_url = "https://a"\n', 'oci-http.toml', OCI_KIND))).toEqual(['oci-http.toml:instances.a.public_url'])
  })

  it('a vhost or a store claimed by two kinds is refused at start, naming both files', () => {
    const oci = { kind: OCI_KIND, file: 'oci-http.toml', instances: [{ name: 'default', store: 'shared', vhosts: ['localhost'] }] }
    const image = { kind: IMAGE_KIND, file: 'image-http.toml', instances: [{ name: 'default', store: 'shared', vhosts: ['localhost', 'photos.localhost'] }] }
    expect(problemKeys(() => validateAcrossKinds([oci, image]))).toEqual(['image-http.toml:instances.default.vhosts[0]', 'image-http.toml:instances.default.store'])
    expect(() => validateAcrossKinds([oci, { ...image, instances: [{ name: 'default', store: 'imgs', vhosts: ['photos.localhost'] }] }])).not.toThrow()
  })
})

describe('image and OCI instances under one manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-kinds-'))
  let stores: Stores
  let frontend: HttpFrontend
  let oci: Instances
  let image: Instances
  let port: number
  const closed: string[] = []

  beforeAll(async () => {
    stores = await openStores({ dir: join(dir, 'data') })
    const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 1024 } })
    await auth.bootstrapAdmin('admin', 'pw-admin')
    frontend = createHttpFrontend({ auth, metrics: { listen: '' } })
    const peers = (): Instances[] => [oci, image]
    oci = createOciInstances({ stores, frontend, configFile: join(dir, 'config', OCI_KIND.file), log: silentLog, peers })
    // A stand-in image handler: the manager is under test here, not the media library.
    image = createInstances({
      kind: IMAGE_KIND,
      stores,
      frontend,
      configFile: join(dir, 'config', IMAGE_KIND.file),
      log: silentLog,
      peers,
      mount: ({ config, store }) => ({
        authorizesItself: false,
        handler: (_req, res) => void res.end(`${config.name} on ${store.name}`),
        close: () => void closed.push(config.name),
      }),
    })
    await oci.start([{ name: 'default', store: 'everlock-oci-local', vhosts: ['localhost'] }])
    await image.start([])
    port = (await frontend.listen('127.0.0.1:0')).port
  })
  afterAll(async () => {
    await oci.close()
    await image.close()
    await frontend.close()
    await stores.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (host: string) => request({ port, host, path: '/', auth: ['admin', 'pw-admin'] })

  it('create is live and persisted to image-http.toml; the frontend checks method → role on http/image/<name>', async () => {
    expect(await image.create('family', { vhosts: ['photos.localhost'] }, by)).toEqual({ name: 'family', store: 'everlock-image-family', vhosts: ['photos.localhost'] })
    const reply = await get('photos.localhost')
    expect([reply.status, reply.body.toString()]).toEqual([200, 'family on everlock-image-family'])
    expect(frontend.vhosts.match('photos.localhost')).toMatchObject({ backend: 'image', accessPath: 'http/image/family', authorizesItself: false })
    expect((await request({ port, host: 'photos.localhost', path: '/' })).status).toBe(401)
    expect(readFileSync(join(dir, 'config', 'image-http.toml'), 'utf8')).toContain('# Image libraries served by everlock')
    expect(await loadInstancesConfig(join(dir, 'config', 'image-http.toml'), IMAGE_KIND)).toEqual([{ name: 'family', store: 'everlock-image-family', vhosts: ['photos.localhost'] }])
  })

  it('a vhost or store of one kind cannot be taken by the other', async () => {
    expect(await codeOf(image.create('x', { vhosts: ['localhost'] }, by))).toBe('VHOST_TAKEN')
    expect(await codeOf(image.set('family', { vhost: 'localhost' }, by))).toBe('VHOST_TAKEN')
    expect(await codeOf(oci.create('y', { vhosts: ['photos.localhost'] }, by))).toBe('VHOST_TAKEN')
    expect(await codeOf(oci.create('y', { store: 'everlock-image-family', vhosts: ['y.localhost'] }, by))).toBe('STORE_IN_USE')
    expect(await codeOf(image.create('z', { store: 'everlock-oci-local', vhosts: ['z.localhost'] }, by))).toBe('STORE_IN_USE')
    expect(frontend.vhosts.match('localhost')?.backend).toBe('oci')
  })

  it('delete unmounts (its background work is closed) and the vhost answers no more', async () => {
    await image.delete('family', by)
    await new Promise((r) => setTimeout(r, 10))
    expect(closed).toEqual(['family'])
    expect(frontend.vhosts.match('photos.localhost')).toBeUndefined()
    expect(await image.list()).toEqual([])
  })
})
