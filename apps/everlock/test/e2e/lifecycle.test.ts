// Start-up refusals (bad config, bad flags, no admin) and a clean SIGTERM that lets in-flight requests finish.
import { mkdirSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { built, Child, Everlock, freePort, seedArgs, tempDirs } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { pushSmall } from '../helpers/push.js'

const BAD = `colour = "blue"

[instances.Bad_Name]
store = "bad-name-store"
vhosts = ["bad.localhost"]

[instances.b]
store = "Not A Store"
vhosts = ["a.localhost:8080", "localhost"]
extra = 1

[instances.c]
vhosts = []

[instances.d]
store = "everlock-oci-local"
vhosts = "localhost"
`

describe.skipIf(!built)('everlock serve lifecycle', () => {
  const dir = tempDirs()

  it('a bad config file fails start-up listing every problem (file, key, expectation), no stack trace', async () => {
    const d = dir('badconf')
    mkdirSync(join(d, 'config'))
    writeFileSync(join(d, 'config', 'oci-http.toml'), BAD)
    const exit = await Child.spawn(seedArgs(d, await freePort(), await freePort()), d).exited
    expect(exit.code).toBe(1)
    const file = join(d, 'config', 'oci-http.toml')
    for (const key of ['colour', 'instances.Bad_Name', 'instances.b.store', 'instances.b.vhosts[0]', 'instances.b.extra', 'instances.c.vhosts', 'instances.d.vhosts[0]']) {
      expect(exit.output).toContain(`${file}: ${key}: expected `)
    }
    expect(exit.output).toMatch(/used by one instance only/) // localhost in b and d
    expect(exit.output).toMatch(/7 problems/)
    expect(exit.output).not.toMatch(/\n\s+at /)
  })

  it('a TOML syntax error names the line; unknown flags exit 2; no admin on a fresh data dir exits 1', async () => {
    const d = dir('syntax')
    mkdirSync(join(d, 'config'))
    writeFileSync(join(d, 'config', 'oci-http.toml'), '[instances.default]\nstore = \n')
    const syntax = await Child.spawn(seedArgs(d, await freePort(), await freePort()), d).exited
    expect(syntax.code).toBe(1)
    expect(syntax.output).toMatch(/oci-http\.toml: \(syntax, line 2/)

    const unknown = await Child.spawn(['serve', '--frontend-htp'], d).exited
    expect(unknown.code).toBe(2)
    expect(unknown.output).toMatch(/--frontend-htp/)

    const fresh = dir('noadmin')
    const noAdmin = await Child.spawn(['serve', '--backend-admin-ssh', '--frontend-ssh-listen', `127.0.0.1:${await freePort()}`, '--data-dir', join(fresh, 'data')], fresh).exited
    expect(noAdmin.code).toBe(1)
    expect(noAdmin.output).toMatch(/--admin-user/)
    expect(noAdmin.output).not.toContain('change-me')
  })

  it('SIGTERM finishes an in-flight upload, exits 0, and the data dir reopens cleanly', async () => {
    const d = dir('sigterm')
    const e = await Everlock.start(d)
    const where = { port: e.http, host: 'localhost', auth: ['admin', 'change-me'] as [string, string] }
    const digest = await pushSmall(where, 'keep/app', 'v1')
    const started = await request({ ...where, method: 'POST', path: '/v2/keep/app/blobs/uploads/' })
    expect(started.status).toBe(202)
    const location = String(started.headers.location)

    // a PATCH whose body is still arriving when SIGTERM comes
    const half = Buffer.alloc(64 * 1024, 1)
    const patched = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1', port: e.http, method: 'PATCH', path: location, agent: false,
          headers: { host: 'localhost', authorization: `Basic ${Buffer.from('admin:change-me').toString('base64')}`, 'content-type': 'application/octet-stream', 'content-length': String(half.length * 2) },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.write(half)
      setTimeout(() => {
        e.proc.child.kill('SIGTERM')
        setTimeout(() => req.end(half), 300)
      }, 200)
    })
    expect(await patched).toBe(202)
    const exit = await e.proc.exited
    expect(exit.code).toBe(0)
    expect(exit.output).toMatch(/SIGTERM: shutting down/)
    expect(exit.output).not.toContain('change-me')

    const again = await e.restart()
    try {
      expect((await request({ ...where, path: `/v2/keep/app/manifests/${digest}` })).status).toBe(200)
      const status = await request({ ...where, path: location })
      expect(status.status).toBe(204)
      expect(String(status.headers.range)).toBe(`0-${half.length * 2 - 1}`)
      expect(await again.console('/store verify everlock-oci-local')).toMatch(/ok/i)
    } finally {
      expect((await again.stop()).code).toBe(0)
    }
  })
})
