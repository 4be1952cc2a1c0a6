// /tls list|issue|renew over an in-memory TlsAdmin (the app's real one, over files and ACME, is tested end to end).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth } from '@everlock/auth-grants'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminInterpreter, type AdminInterpreter, type TlsAdmin, type TlsEntry } from '@everlock/backend-admin'

const until = new Date('2027-03-01T00:00:00Z')
const rows: TlsEntry[] = [
  { host: 'localhost', source: '/etc/everlock/certs/localhost.pem', issuer: 'CN=Everlock Test CA', serial: '0A', notAfter: until },
  { host: 'acme.localhost', source: 'acme', issuer: 'CN=Pebble Intermediate CA 6e2f', serial: '1B', notAfter: until, acme: { state: 'valid', nextAttempt: new Date('2027-01-30T00:00:00Z'), failures: 0 } },
  { host: 'new.localhost', source: 'acme', acme: { state: 'failed', failures: 2, lastError: 'http-01 challenge failed\u001b[31m' } },
]

function memoryTls(): TlsAdmin & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    async list() {
      return rows
    },
    async issue(vhost, { renew }, actor) {
      calls.push(`${renew ? 'renew' : 'issue'} ${vhost} by ${actor.by}`)
      const row = rows.find((r) => r.host === vhost && r.source === 'acme')
      if (!row) throw Object.assign(new Error(`${vhost} is not an ACME vhost`), { code: 'TLS_NOT_ACME' })
      return { ...row, serial: 'FF' }
    },
  }
}

describe('/tls', () => {
  let dir: string
  let stores: Stores
  let tls: ReturnType<typeof memoryTls>
  let with_: AdminInterpreter
  let without: AdminInterpreter
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backend-admin-tls-'))
    stores = await openStores({ dir })
    const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 2 ** 10 } })
    await auth.bootstrapAdmin('admin', 'change-me')
    await auth.addUser('alice', 'change-me', { by: 'admin' })
    tls = memoryTls()
    with_ = createAdminInterpreter({ auth, stores, instances: {}, tls })
    without = createAdminInterpreter({ auth, stores, instances: {} })
  })
  afterAll(async () => {
    await stores.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('list: host, source, issuer CN, expiry and the ACME state, for everyone; control characters stripped', async () => {
    const r = await with_.session({ user: 'alice' }).run('/tls list')
    expect(r.ok).toBe(true)
    const lines = r.output.split('\n')
    expect(lines[0]).toMatch(/^HOST\s+SOURCE\s+ISSUER\s+NOT-AFTER\s+STATE$/)
    expect(lines[1]).toMatch(/^localhost\s+\/etc\/everlock\/certs\/localhost\.pem\s+Everlock Test CA\s+2027-03-01T00:00:00Z$/)
    expect(lines[2]).toMatch(/^acme\.localhost\s+acme\s+Pebble Intermediate CA 6e2f\s+2027-03-01T00:00:00Z\s+valid; next 2027-01-30T00:00:00Z$/)
    expect(lines[3]).toMatch(/^new\.localhost\s+acme\s+-\s+-\s+failed; 2 failure\(s\); last error: http-01 challenge failed \[31m$/)
  })

  it('issue and renew: owner only, the actor is passed on, errors with a code are shown', async () => {
    const alice = await with_.session({ user: 'alice' }).run('/tls renew acme.localhost')
    expect(alice).toMatchObject({ ok: false, output: 'permission denied: needs owner on */*/*' })
    const admin = with_.session({ user: 'admin' })
    expect(await admin.run('/tls renew acme.localhost')).toMatchObject({ ok: true, output: 'acme.localhost: certificate renewed by Pebble Intermediate CA 6e2f, serial FF, valid until 2027-03-01T00:00:00Z' })
    expect((await admin.run('/tls issue new.localhost')).ok).toBe(true)
    expect(await admin.run('/tls issue localhost')).toMatchObject({ ok: false, output: 'localhost is not an ACME vhost' })
    expect((await admin.run('/tls renew')).output).toBe('usage: /tls renew <vhost>')
    expect(tls.calls).toEqual(['renew acme.localhost by admin', 'issue new.localhost by admin', 'issue localhost by admin'])
  })

  it('without a TlsAdmin the commands say HTTPS is not enabled', async () => {
    const r = await without.session({ user: 'admin' }).run('/tls list')
    expect(r).toMatchObject({ ok: false, output: expect.stringMatching(/^HTTPS not enabled/) })
  })
})
