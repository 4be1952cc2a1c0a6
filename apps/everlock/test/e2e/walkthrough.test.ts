// The seed's getting-started guide (seed 003), steps 1–9, against a real `everlock serve` with skopeo,
// then the same push/pull with podman. The image is built by the test (no network).
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { built, Everlock, removeDir, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'
import { buildLayout, readLayout, type Layout } from '../helpers/image.js'
import { podman, skopeo } from '../helpers/tools.js'

describe.skipIf(!built)('seed walk-through (skopeo, podman, real SSH console)', () => {
  let dir: string
  let everlock: Everlock
  let image: Layout

  beforeAll(async () => {
    dir = tempDir('walk')
    image = buildLayout(join(dir, 'image'))
    everlock = await Everlock.start(dir) // step 1: the seed's exact flags
  })
  afterAll(async () => {
    const exit = await everlock?.stop()
    expect(exit?.code).toBe(0)
    removeDir(dir)
  })

  it('steps 2–3: the admin console creates alice with writer on the default registry', async () => {
    const screen = await everlock.terminal(['/users add alice change-me', '/users grant alice http/oci/default writer', '/quit'])
    expect(screen).toMatch(/^Everlock Admin\r?\n> /m)
    expect(screen).toMatch(/'alice' added/)
    expect(screen).toMatch(/granted writer on http\/oci\/default to 'alice'/)
    await everlock.console('/users add bob change-me')
    await everlock.console('/users grant bob http/oci/default reader')
    const grants = await everlock.console('/users grants alice')
    expect(grants).toMatch(/http\/oci\/default/)
    expect(grants).toMatch(/writer/)
  })

  it('step 4: login works for alice and is refused with a wrong password', async () => {
    const alice = skopeo(join(dir, 'alice.json'))
    expect((await alice.login(everlock.registry, 'alice', 'change-me')).ok).toBe(true)
    const wrong = await skopeo(join(dir, 'wrong.json')).login(everlock.registry, 'alice', 'not-the-password')
    expect(wrong.ok).toBe(false)
  })

  it('steps 5–6: alice pushes the image and pulls it back with identical digests', async () => {
    const alice = skopeo(join(dir, 'alice.json'))
    const pushed = await alice.push(`${image.dir}:${image.tag}`, `${everlock.registry}/alice/alpine:demo`)
    expect(pushed.stderr).toBe(pushed.ok ? pushed.stderr : '(push failed)')
    const out = join(dir, 'pulled')
    mkdirSync(out)
    const pulled = await alice.pull(`${everlock.registry}/alice/alpine:demo`, `${out}:demo`)
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect(readLayout(out)).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests })
    // the push is recorded in the registry's store with alice as author
    expect(await everlock.console('/store log everlock-oci-local')).toMatch(/alice/)
  })

  it('a reader can pull but cannot push', async () => {
    const bob = skopeo(join(dir, 'bob.json'))
    expect((await bob.login(everlock.registry, 'bob', 'change-me')).ok).toBe(true)
    const out = join(dir, 'bob-pulled')
    mkdirSync(out)
    expect((await bob.pull(`${everlock.registry}/alice/alpine:demo`, `${out}:demo`)).ok).toBe(true)
    const push = await bob.push(`${image.dir}:${image.tag}`, `${everlock.registry}/bob/alpine:demo`)
    expect(push.ok).toBe(false)
    const tags = await request({ port: everlock.http, host: 'localhost', path: '/v2/bob/alpine/tags/list', auth: ['admin', 'change-me'] })
    expect(tags.status).toBe(404)
  })

  it('step 9: anonymous pull is refused until anon gets reader, then works', async () => {
    const anon = skopeo(join(dir, 'anon.json'))
    const before = await request({ port: everlock.http, host: 'localhost', path: `/v2/alice/alpine/manifests/demo` })
    expect(before.status).toBe(401)
    expect(String(before.headers['www-authenticate'])).toMatch(/^Basic realm=/)
    const refused = join(dir, 'anon-refused')
    mkdirSync(refused)
    expect((await anon.pull(`${everlock.registry}/alice/alpine:demo`, `${refused}:demo`, true)).ok).toBe(false)

    await everlock.console('/users grant anon http/oci/default reader')
    const out = join(dir, 'anon-pulled')
    mkdirSync(out)
    const pulled = await anon.pull(`${everlock.registry}/alice/alpine:demo`, `${out}:demo`, true)
    expect(pulled.ok, pulled.stderr).toBe(true)
    expect(readLayout(out).manifestDigest).toBe(image.manifestDigest)
    // anon still cannot push
    const push = await request({ port: everlock.http, host: 'localhost', method: 'POST', path: '/v2/anon/x/blobs/uploads/' })
    expect(push.status).toBe(401)
  })

  it('podman: login, push, remove, pull back (same digest)', async () => {
    const pm = podman(join(dir, 'podman'))
    const ref = `${everlock.registry}/alice/podman:demo`
    const loaded = await pm.run('pull', `oci:${image.dir}:${image.tag}`)
    expect(loaded.ok, loaded.stderr).toBe(true)
    const imageId = loaded.stdout.trim().split('\n').pop()!
    expect((await pm.run('tag', imageId, ref)).ok).toBe(true)
    expect((await pm.login(everlock.registry, 'alice', 'change-me')).ok).toBe(true)
    const digestFile = join(dir, 'podman-digest')
    const pushed = await pm.push(ref, digestFile)
    expect(pushed.ok, pushed.stderr).toBe(true)
    const digest = readFileSync(digestFile, 'utf8').trim()
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect((await pm.run('rmi', '-f', ref, imageId)).ok).toBe(true)
    const pulled = await pm.pull(ref)
    expect(pulled.ok, pulled.stderr).toBe(true)
    const inspect = await pm.run('image', 'inspect', '--format', '{{.Digest}}', ref)
    expect(inspect.stdout.trim()).toBe(digest)
    // step 9 with podman: anon holds reader now, so a podman that never logged in pulls too
    const anon = podman(join(dir, 'podman-anon'))
    const anonPull = await anon.pull(ref)
    expect(anonPull.ok, anonPull.stderr).toBe(true)
    expect((await anon.run('image', 'inspect', '--format', '{{.Digest}}', ref)).stdout.trim()).toBe(digest)
  })
})
