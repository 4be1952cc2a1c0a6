import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readdir, utimes, writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConsole, scriptedAi, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
  const admin = c.interpreter.session({ user: 'admin' })
  await admin.run('/users add alice change-me')
})
afterAll(async () => c.close())

describe('/users key', () => {
  it('adds, lists and deletes a real ssh-keygen key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-key-'))
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', join(dir, 'id')])
      const pub = readFileSync(join(dir, 'id.pub'), 'utf8').trim()
      const fingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'id.pub')], { encoding: 'utf8' }).split(' ')[1]!
      const admin = c.interpreter.session({ user: 'admin' })
      // unquoted: the key's words are joined back together
      const added = await admin.run(`/users key add alice ${pub}`)
      expect(added.ok).toBe(true)
      expect(added.output).toContain(fingerprint)
      const list = await admin.run('/users key list alice')
      expect(list.output).toMatch(new RegExp(`alice\\s+${fingerprint.replace(/[+/]/g, '\\$&')}\\s+alice@laptop`))
      expect((await c.auth.listKeys('alice')).map((k) => k.fingerprint)).toEqual([fingerprint])
      expect(await admin.run(`/users key add alice ${pub}`)).toMatchObject({ ok: false })
      expect(await admin.run('/users key add alice ssh-ed25519 garbage')).toMatchObject({ ok: false, output: expect.stringMatching(/^invalid SSH public key/) })
      expect(await admin.run(`/users key delete alice ${fingerprint}`)).toMatchObject({ ok: true })
      expect(await c.auth.listKeys('alice')).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('/tokens', () => {
  it('creates a token whose secret is shown once and verifies, lists and revokes it', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    const created = await admin.run('/tokens create alice "label=ci pipeline" expires=30d')
    expect(created.ok).toBe(true)
    const secret = /^secret: (\S+)$/m.exec(created.output)![1]!
    const id = /^token (\S+) created for 'alice', expires /.exec(created.output)![1]!
    expect(await c.auth.verifyToken(secret)).toMatchObject({ user: 'alice' })
    const list = await admin.run('/tokens list alice')
    expect(list.output).toMatch(new RegExp(`${id}\\s+alice\\s+ci pipeline`))
    expect(list.output).not.toContain(secret)
    expect(await admin.run(`/tokens revoke ${id}`)).toMatchObject({ ok: true })
    expect(await c.auth.verifyToken(secret)).toBeUndefined()
    expect(await admin.run('/tokens create alice expires=yesterday')).toMatchObject({ ok: false, output: expect.stringMatching(/^expires must be/) })
    expect(await admin.run('/tokens create alice colour=blue')).toMatchObject({ ok: false })
  })
})

describe('/groups', () => {
  it("grants a group's roles to all its members", async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    for (const line of ['/groups add team', '/groups assign alice team', '/groups grant team http/oci/team writer']) {
      expect(await admin.run(line), line).toMatchObject({ ok: true })
    }
    expect(await c.auth.can('alice', 'http/oci/team', 'writer')).toBe(true)
    expect((await admin.run('/groups list')).output).toMatch(/^team\s+alice$/m)
    expect(await admin.run('/groups grant team http/oci/team boss')).toEqual({ ok: false, output: 'role must be reader, writer or owner' })
    expect(await admin.run('/groups revoke team http/oci/team')).toMatchObject({ ok: true })
    expect(await c.auth.can('alice', 'http/oci/team', 'reader')).toBe(false)
    expect(await admin.run('/groups assign alice nosuch')).toEqual({ ok: false, output: "unknown group 'nosuch'" })
  })
})

describe('/oci and /image', () => {
  it('drives the InstanceAdmin with key=value arguments, as the console user', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect((await admin.run('/oci list')).output).toBe('no oci instances')
    expect(await admin.run('/oci create second vhost=reg2.localhost')).toEqual({
      ok: true, output: 'created second: store=everlock-oci-second vhosts=reg2.localhost',
    })
    expect((await admin.run('/oci set second vhost=reg3.localhost')).output).toContain('vhosts=reg2.localhost,reg3.localhost')
    expect((await admin.run('/oci set second store=other')).output).toContain('store=other')
    expect((await admin.run('/oci unset second vhost=reg2.localhost')).output).toContain('vhosts=reg3.localhost')
    expect((await admin.run('/oci list')).output).toMatch(/^second\s+other\s+reg3\.localhost$/m)
    expect(await admin.run('/oci delete second')).toMatchObject({ ok: true })
    expect(c.oci.calls.map((x) => x.by)).toEqual(['admin', 'admin', 'admin', 'admin', 'admin'])
    expect(await admin.run('/oci create third store=s')).toEqual({ ok: false, output: 'usage: /oci create <name> [store=<name>] vhost=<host>' })
    expect(await admin.run('/oci create third host=x')).toMatchObject({ ok: false, output: expect.stringMatching(/^expected store=<…> or vhost=<…>/) })
    expect(await admin.run('/oci delete nosuch')).toEqual({ ok: false, output: "unknown instance 'nosuch'" })
    expect(await admin.run('/image list')).toEqual({ ok: false, output: 'image backend not enabled' })
  })

  it('offers /image when an image InstanceAdmin is given', async () => {
    const other = await openConsole({ image: true })
    try {
      const admin = other.interpreter.session({ user: 'admin' })
      expect(await admin.run('/image create family store=family-images vhost=photos.example.net')).toMatchObject({ ok: true })
      expect((await admin.run('/image list')).output).toMatch(/^family\s+family-images\s+photos\.example\.net$/m)
    } finally {
      await other.close()
    }
  })
})

describe('/store', () => {
  it('lists, logs and verifies stores', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    expect((await admin.run('/store list')).output.split('\n')).toContain('everlock-system')
    const log = await admin.run('/store log everlock-system')
    const lines = log.output.split('\n')
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.every((l) => /^[0-9a-f]{12} \S+ \S+ /.test(l))).toBe(true)
    expect((await admin.run('/store log everlock-system 2')).output.split('\n')).toHaveLength(2)
    const verify = await admin.run('/store verify everlock-system')
    expect(verify).toMatchObject({ ok: true, output: expect.stringMatching(/^store everlock-system: ok; checked \d+ blobs/) })
    expect(await admin.run('/store log nosuch')).toEqual({ ok: false, output: "unknown store 'nosuch'" })
    expect(await c.stores.list()).not.toContain('nosuch')
    expect(await admin.run('/store log everlock-system x 0')).toMatchObject({ ok: false })
  })

  it('/store uploads lists uploads in progress and orphan files with size and age; sweep and cancel clean up', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    const store = await c.stores.open('uploads-demo')
    expect((await admin.run('/store uploads uploads-demo')).output).toBe('store uploads-demo: 0 uploads in progress (0 B), 0 orphan files (0 B)')
    const up = await store.uploads.create({ meta: { by: 'oci', repository: 'team/app', user: 'carol' } })
    await store.uploads.append(up.id, Readable.from([Buffer.alloc(3 * 1024 * 1024 + 300 * 1024)]))
    const uploadsDir = join(c.dir, 'stores', 'uploads-demo', 'uploads')
    const orphan = '11111111-1111-1111-1111-111111111111'
    await writeFile(join(uploadsDir, orphan), Buffer.alloc(4096))
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000 - 5 * 60_000)
    await utimes(join(uploadsDir, orphan), threeHoursAgo, threeHoursAgo)

    const listed = await admin.run('/store uploads uploads-demo')
    expect(listed.ok).toBe(true)
    const lines = listed.output.split('\n')
    expect(lines[0]).toBe('store uploads-demo: 1 upload in progress (3.3 MiB), 1 orphan file (4.0 KiB)')
    expect(lines[1]).toMatch(/^ {2}id\s+size\s+age\s+idle\s+started by$/)
    expect(lines[2]).toMatch(new RegExp(`^  ${up.id}\\s+3\\.3 MiB\\s+\\d+s\\s+\\d+s\\s+oci team/app by carol$`))
    expect(lines[3]).toMatch(new RegExp(`^  ${orphan}\\s+4\\.0 KiB\\s+3h 05m\\s+3h 05m\\s+orphan: no upload record`))
    expect((await admin.run('/store verify uploads-demo quick')).output.split('\n')).toContain(
      '  uploads: 1 upload in progress (3.3 MiB), 1 orphan file (4.0 KiB); see /store uploads uploads-demo',
    )

    expect((await admin.run('/store uploads uploads-demo sweep')).output).toBe(
      "store uploads-demo: removed 1 orphan file(s) and 0 upload record(s) without bytes, cut 0 unacknowledged tail(s), 4.0 KiB freed (uploads in progress are left to their expiry or 'cancel')",
    )
    expect(await readdir(uploadsDir)).toEqual([up.id])
    expect((await admin.run(`/store uploads uploads-demo cancel ${up.id}`)).output).toBe(`upload ${up.id} in store uploads-demo cancelled, 3.3 MiB freed`)
    expect(await readdir(uploadsDir)).toEqual([])
    expect(await admin.run(`/store uploads uploads-demo cancel ${up.id}`)).toEqual({ ok: false, output: `no upload '${up.id}' in store uploads-demo` })
    expect(await admin.run('/store uploads uploads-demo delete x')).toEqual({ ok: false, output: 'usage: /store uploads <store> [sweep | cancel <id>]' })
    expect(await admin.run('/store uploads nosuch')).toEqual({ ok: false, output: "unknown store 'nosuch'" })
    expect((await c.interpreter.session({ user: 'alice' }).run('/store uploads uploads-demo')).ok).toBe(false)
  })

  it('streams the log line by line', async () => {
    const admin = c.interpreter.session({ user: 'admin' })
    const chunks: string[] = []
    const it = admin.runStream('/store log everlock-system')
    let next = await it.next()
    while (!next.done) {
      chunks.push(next.value)
      next = await it.next()
    }
    expect(next.value).toEqual({ ok: true })
    expect(chunks.length).toBeGreaterThan(5)
    expect(chunks.every((ch) => ch.endsWith('\n') && ch.split('\n').length === 2)).toBe(true)
  })
})

describe('/help, /quit, plain text', () => {
  it('lists every command and the usage of one', async () => {
    const s = c.interpreter.session({ user: 'alice' })
    const all = (await s.run('/help')).output
    for (const cmd of ['/users add', '/users key add', '/tokens create', '/groups grant', '/oci create', '/store verify', '/quit']) {
      expect(all).toContain(cmd)
    }
    const users = (await s.run('/help users')).output.split('\n')
    expect(users.every((l) => l.startsWith('/users '))).toBe(true)
    expect((await s.run('/help /users add')).output).toMatch(/^\/users add <name> <password>\s+create a user \[admin\]$/)
    expect(await s.run('/help nosuch')).toMatchObject({ ok: false })
  })

  it('/quit leaves; empty lines do nothing', async () => {
    const s = c.interpreter.session({ user: 'alice' })
    expect(await s.run('/quit')).toEqual({ ok: true, quit: true, output: 'bye' })
    expect(await s.run('   ')).toEqual({ ok: true, output: '' })
  })

  it('plain text needs an AI runtime; with one, the answer streams', async () => {
    expect(await c.interpreter.session({ user: 'alice' }).run('hello there')).toEqual({ ok: false, output: 'no AI runtime configured' })
    const ai = scriptedAi([['Hel', 'lo!']])
    const other = await openConsole({ ai })
    try {
      const s = other.interpreter.session({ user: 'admin' })
      expect(await s.run('  say hi  ')).toEqual({ ok: true, output: 'Hello!' })
      expect(ai.seen[0]!.at(-1)).toEqual({ role: 'user', content: 'say hi' })
    } finally {
      await other.close()
    }
  })

  it('unexpected errors show as "internal error" and are logged', async () => {
    const other = await openConsole({
      ai: {
        ...scriptedAi([]),
        prompt() {
          throw new TypeError('boom at line 3')
        },
      },
    })
    try {
      expect(await other.interpreter.session({ user: 'admin' }).run('anything')).toEqual({ ok: false, output: 'internal error' })
      expect(other.logged).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})
