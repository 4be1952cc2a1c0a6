// Upload sessions through the real server: the per-user cap, the console listing, orphans gone after a restart.
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { built, Everlock, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'

describe.skipIf(!built)('upload sessions', () => {
  const d = tempDir('uploads')
  afterAll(() => removeDir(d))

  it('a user past --backend-oci-http-max-uploads-per-user gets 429 TOOMANYREQUESTS; /store uploads lists sessions; orphans go at start', async () => {
    const args = (http: number, ssh: number) => seedArgs(d, http, ssh, ['--backend-oci-http-max-uploads-per-user', '2'])
    const e = await Everlock.start(d, { args })
    const where = { port: e.http, host: 'localhost', auth: ['admin', 'change-me'] as [string, string] }
    try {
      const open = () => request({ ...where, method: 'POST', path: '/v2/cap/app/blobs/uploads/' })
      const first = await open()
      expect(first.status).toBe(202)
      expect((await open()).status).toBe(202)
      const refused = await open()
      expect(refused.status).toBe(429)
      expect(refused.json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe('TOOMANYREQUESTS')
      expect(refused.headers['retry-after']).toBe('60')
      const patched = await request({ ...where, method: 'PATCH', path: String(first.headers.location), body: Buffer.alloc(5000, 7), headers: { 'content-type': 'application/octet-stream' } })
      expect(patched.status).toBe(202)

      const listed = (await e.console('/store uploads everlock-oci-local')).split('\n')
      expect(listed[0]).toBe('store everlock-oci-local: 2 uploads in progress (4.9 KiB), 0 orphan files (0 B)')
      expect(listed.filter((l) => /\s+oci cap\/app by admin$/.test(l))).toHaveLength(2)
    } finally {
      expect((await e.stop()).code).toBe(0)
    }

    // a file a crash left in the uploads area, with no record: gone once the server is back
    const uploadsDir = join(d, 'data', 'stores', 'everlock-oci-local', 'uploads')
    writeFileSync(join(uploadsDir, '99999999-9999-9999-9999-999999999999'), Buffer.alloc(117 * 1024))
    const again = await Everlock.start(d, { args, http: e.http, ssh: e.ssh })
    try {
      expect(readdirSync(uploadsDir)).toHaveLength(2)
      expect(await again.console('/store uploads everlock-oci-local')).toMatch(/^store everlock-oci-local: 2 uploads in progress \(4\.9 KiB\), 0 orphan files/)
    } finally {
      expect((await again.stop()).code).toBe(0)
    }
  })
})
