// The instance manager over a real HTTP frontend, real stores and auth in a temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth } from '@everlock/auth-grants'
import { createHttpFrontend, type HttpFrontend } from '@everlock/frontend-http'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from '../helpers/http.js'
import { loadOciConfig } from '../../src/config/instances-config.js'
import { silentLog } from '../../src/log.js'
import { createOciInstances, type OciInstances } from '../../src/oci-instances.js'

const by = { by: 'admin' }

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (err: { code?: string }) => err.code,
  )
}

describe('OCI instance manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-instances-'))
  const configFile = join(dir, 'config', 'oci-http.toml')
  let stores: Stores
  let frontend: HttpFrontend
  let oci: OciInstances
  let port: number

  beforeAll(async () => {
    stores = await openStores({ dir: join(dir, 'data') })
    const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 1024 } })
    await auth.bootstrapAdmin('admin', 'pw-admin')
    frontend = createHttpFrontend({ auth, metrics: { listen: '' } })
    oci = createOciInstances({ stores, frontend, configFile, log: silentLog })
    await oci.start([{ name: 'default', store: 'everlock-oci-local', vhosts: ['localhost'] }])
    port = (await frontend.listen('127.0.0.1:0')).port
  })
  afterAll(async () => {
    await oci.close()
    await frontend.close()
    await stores.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const ping = async (host: string) => (await request({ port, host, path: '/v2/', auth: ['admin', 'pw-admin'] })).status

  it('create: persisted, routed live, with the default store', async () => {
    expect(await ping('reg2.localhost')).toBe(421)
    expect(await oci.create('second', { vhosts: ['Reg2.Localhost'] }, by)).toEqual({ name: 'second', store: 'everlock-oci-second', vhosts: ['reg2.localhost'] })
    expect(await ping('reg2.localhost')).toBe(200)
    expect(frontend.vhosts.match('reg2.localhost:8080')?.accessPath).toBe('http/oci/second')
    expect(await loadOciConfig(configFile)).toEqual([
      { name: 'default', store: 'everlock-oci-local', vhosts: ['localhost'] },
      { name: 'second', store: 'everlock-oci-second', vhosts: ['reg2.localhost'] },
    ])
  })

  it('refuses duplicates and bad input with stable codes, changing nothing', async () => {
    const before = readFileSync(configFile, 'utf8')
    expect(await codeOf(oci.create('second', { vhosts: ['x.localhost'] }, by))).toBe('INSTANCE_EXISTS')
    expect(await codeOf(oci.create('third', { vhosts: ['localhost'] }, by))).toBe('VHOST_TAKEN')
    expect(await codeOf(oci.create('third', { store: 'everlock-oci-local', vhosts: ['t.localhost'] }, by))).toBe('STORE_IN_USE')
    expect(await codeOf(oci.create('third', { store: 'everlock-system', vhosts: ['t.localhost'] }, by))).toBe('STORE_NAME_INVALID')
    expect(await codeOf(oci.create('../x', { vhosts: ['t.localhost'] }, by))).toBe('INSTANCE_NAME_INVALID')
    expect(await codeOf(oci.create('third', { vhosts: ['t.localhost:80'] }, by))).toBe('VHOST_INVALID')
    expect(await codeOf(oci.set('nope', { vhost: 'n.localhost' }, by))).toBe('INSTANCE_UNKNOWN')
    expect(await codeOf(oci.unset('second', { vhost: 'reg2.localhost' }, by))).toBe('VHOST_LAST')
    expect(await codeOf(oci.delete('nope', by))).toBe('INSTANCE_UNKNOWN')
    expect(readFileSync(configFile, 'utf8')).toBe(before)
    expect((await oci.list()).map((i) => i.name)).toEqual(['default', 'second'])
  })

  it('set vhost / set store / unset / delete apply live', async () => {
    await oci.set('second', { vhost: 'reg3.localhost' }, by)
    expect(await ping('reg3.localhost')).toBe(200)
    await oci.set('second', { store: 'moved-store' }, by)
    expect((await oci.list())[1]).toEqual({ name: 'second', store: 'moved-store', vhosts: ['reg2.localhost', 'reg3.localhost'] })
    expect(await ping('reg2.localhost')).toBe(200)
    await oci.unset('second', { vhost: 'reg2.localhost' }, by)
    expect(await ping('reg2.localhost')).toBe(421)
    await oci.delete('second', by)
    expect(await ping('reg3.localhost')).toBe(421)
    expect((await loadOciConfig(configFile)).map((i) => i.name)).toEqual(['default'])
  })

  it('reload makes the live set match a hand-edited config (adds, removes, moves a vhost) without writing it', async () => {
    const before = readFileSync(configFile, 'utf8')
    expect(await oci.reload([
      { name: 'default', store: 'everlock-oci-local', vhosts: ['localhost'] },
      { name: 'fifth', store: 'store-five', vhosts: ['five.localhost', 'move.localhost'] },
    ])).toEqual({ added: 1, removed: 0, changed: 0 })
    expect(await ping('five.localhost')).toBe(200)
    expect(frontend.vhosts.match('move.localhost')?.instance).toBe('fifth')
    // move.localhost moves from fifth to default; fifth is then removed
    expect(await oci.reload([{ name: 'default', store: 'everlock-oci-local', vhosts: ['localhost', 'move.localhost'] }])).toEqual({ added: 0, removed: 1, changed: 1 })
    expect(frontend.vhosts.match('move.localhost')?.instance).toBe('default')
    expect(await ping('five.localhost')).toBe(421)
    expect(readFileSync(configFile, 'utf8')).toBe(before)
  })

  it('a config file that cannot be written leaves the live table unchanged', async () => {
    const blocked = join(dir, 'blocked')
    writeFileSync(blocked, 'a file, not a directory')
    const other = createOciInstances({ stores, frontend, configFile: join(blocked, 'oci-http.toml'), log: silentLog })
    expect(await codeOf(other.create('fourth', { vhosts: ['four.localhost'] }, by))).toBe('CONFIG_WRITE_FAILED')
    expect(await ping('four.localhost')).toBe(421)
    await other.close()
  })
})
