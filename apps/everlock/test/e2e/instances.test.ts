// Several OCI registries in one process: from config/oci-http.toml, and created live over the SSH console.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { built, Everlock, freePort, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { catalog, ping, pushSmall, type Where } from '../helpers/push.js'
import { request } from '../helpers/http.js'

const ADMIN: [string, string] = ['admin', 'change-me']

describe.skipIf(!built)('OCI instances', () => {
  const dirs: string[] = []
  const running: Everlock[] = []
  afterAll(async () => {
    for (const e of running) await e.stop()
    for (const d of dirs) removeDir(d)
  })
  const at = (e: Everlock, host: string): Where => ({ port: e.http, host, auth: ADMIN })

  it('two registries from config/oci-http.toml: two vhosts, two stores, neither sees the other', async () => {
    const dir = tempDir('two')
    dirs.push(dir)
    mkdirSync(join(dir, 'config'))
    writeFileSync(
      join(dir, 'config', 'oci-http.toml'),
      '[instances.default]\nstore = "everlock-oci-local"\nvhosts = ["localhost"]\n\n[instances.second]\nstore = "second-store"\nvhosts = ["reg2.localhost"]\n',
    )
    const metricsPort = await freePort()
    const e = await Everlock.start(dir, { args: (http, ssh) => seedArgs(dir, http, ssh, ['--metrics-listen', `127.0.0.1:${metricsPort}`]) })
    running.push(e)
    const one = await pushSmall(at(e, 'localhost'), 'team/one', 'v1')
    const two = await pushSmall(at(e, 'reg2.localhost'), 'team/two', 'v1')
    expect(await catalog(at(e, 'localhost'))).toEqual(['team/one'])
    expect(await catalog(at(e, 'reg2.localhost'))).toEqual(['team/two'])
    // by digest too: the other registry's manifest is unknown here
    expect((await request({ ...at(e, 'reg2.localhost'), path: `/v2/team/one/manifests/${one}` })).status).toBe(404)
    expect((await request({ ...at(e, 'localhost'), path: `/v2/team/two/manifests/${two}` })).status).toBe(404)
    expect((await request({ ...at(e, 'localhost:1234'), path: `/v2/team/one/manifests/v1` })).status).toBe(200) // port ignored
    const stores = await e.console('/store list')
    expect(stores).toMatch(/everlock-oci-local/)
    expect(stores).toMatch(/second-store/)
    expect(await e.console('/store log second-store')).toMatch(/admin/)
    // per-instance metrics on the separate listener
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    expect(metrics).toMatch(/everlock_http_requests_total\{backend="oci",instance="second",method="PUT",status="2xx"\} [1-9]/)
  })

  it('/oci create second vhost=reg2.localhost answers within a second, no restart; still there after one', async () => {
    const dir = tempDir('live')
    dirs.push(dir)
    let e = await Everlock.start(dir)
    expect(await ping(at(e, 'reg2.localhost'))).toBe(421) // unknown host: Misdirected Request
    expect(await e.console('/oci create second vhost=reg2.localhost')).toMatch(/created second/)
    const answered = Date.now() // the console answers once the vhost table has the instance
    let status = 0
    while ((status = await ping(at(e, 'reg2.localhost'))) !== 200 && Date.now() - answered < 1000) await new Promise((r) => setTimeout(r, 20))
    expect(status).toBe(200)
    expect(Date.now() - answered).toBeLessThan(1000)
    const digest = await pushSmall(at(e, 'reg2.localhost'), 'live/app', 'v1')
    expect(await catalog(at(e, 'localhost'))).toEqual([])
    const toml = readFileSync(join(dir, 'config', 'oci-http.toml'), 'utf8')
    expect(toml).toMatch(/\[instances\.second\]/)
    expect(toml).toMatch(/everlock-oci-second/)

    const exit = await e.stop()
    expect(exit.code).toBe(0)
    e = await e.restart()
    running.push(e)
    expect(await ping(at(e, 'reg2.localhost'))).toBe(200)
    expect((await request({ ...at(e, 'reg2.localhost'), path: `/v2/live/app/manifests/${digest}` })).status).toBe(200)
    expect(await e.console('/oci list')).toMatch(/second\s+everlock-oci-second\s+reg2\.localhost/)

    // the other changes apply live as well
    await e.console('/oci set second vhost=reg3.localhost')
    expect(await ping(at(e, 'reg3.localhost'))).toBe(200)
    await e.console('/oci unset second vhost=reg2.localhost')
    expect(await ping(at(e, 'reg2.localhost'))).toBe(421)
    expect(await e.console('/oci create third vhost=reg3.localhost').catch((err: { stdout?: string }) => err.stdout ?? '')).toMatch(/already used/)
    await e.console('/oci delete second')
    expect(await ping(at(e, 'reg3.localhost'))).toBe(421)
    expect(readFileSync(join(dir, 'config', 'oci-http.toml'), 'utf8')).not.toMatch(/second/)

    // hand edits apply on SIGHUP; a bad edit is reported and changes nothing
    const file = join(dir, 'config', 'oci-http.toml')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n[instances.hand]\nvhosts = ["hand.localhost"]\n')
    e.proc.child.kill('SIGHUP')
    await e.proc.waitFor([/oci instances reloaded from .*: 1 added, 0 removed, 0 changed/])
    expect(await ping(at(e, 'hand.localhost'))).toBe(200)
    writeFileSync(file, '[instances.hand]\nvhosts = ["bad host"]\n')
    e.proc.child.kill('SIGHUP')
    await e.proc.waitFor([/reload refused/, /instances\.hand\.vhosts\[0\]: expected a host name/])
    expect(await ping(at(e, 'hand.localhost'))).toBe(200)
    expect(await ping(at(e, 'localhost'))).toBe(200)
  })
})
