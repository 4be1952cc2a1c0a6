import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildOciLayout, layoutManifestDigest } from './helpers/image'
import { startRegistry, type Running } from './helpers/server'

let reg: Running
beforeAll(async () => {
  reg = await startRegistry({ authorize: async () => ({ ok: true, identity: { user: 'alice' } }) })
})
afterAll(async () => {
  await reg.close()
})

// async: the registry runs in this process, so a synchronous child would block it
const run = promisify(execFile)
const skopeo = async (...args: string[]) => (await run('skopeo', args, { encoding: 'utf8' })).stdout

test('skopeo pushes an image and pulls it back with identical digests; the push is one commit by the pusher', async () => {
  const image = await buildOciLayout({ layers: 3, layerBytes: 100_000 })
  const before = (await reg.store.head())?.seq ?? 0
  await skopeo('copy', '--dest-tls-verify=false', `oci:${image.dir}:v1`, `docker://${reg.host}/team/app:v1`)
  const commits = []
  for await (const c of reg.store.log()) if (c.seq > before) commits.push(c)
  expect(commits.length).toBeGreaterThanOrEqual(1)
  expect(commits.length).toBeLessThanOrEqual(2)
  expect(commits.every((c) => c.author === 'alice')).toBe(true)
  expect(commits[0]!.message).toContain('team/app:v1')

  const out = await mkdtemp(join(tmpdir(), 'oci-pulled-'))
  await skopeo('copy', '--src-tls-verify=false', `docker://${reg.host}/team/app:v1`, `oci:${out}:v1`)
  expect(await layoutManifestDigest(out)).toBe(image.manifestDigest)

  const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/team/app:v1`)) as { layers: Array<{ digest: string }> }
  expect(inspected.layers.map((l) => l.digest)).toEqual(image.layers)
  const tags = JSON.parse(await skopeo('list-tags', '--tls-verify=false', `docker://${reg.host}/team/app`)) as { Tags: string[] }
  expect(tags.Tags).toEqual(['v1'])
})

test('skopeo copies between repositories of the registry (cross-repository mount)', async () => {
  const image = await buildOciLayout({ layers: 2 })
  await skopeo('copy', '--dest-tls-verify=false', `oci:${image.dir}:v1`, `docker://${reg.host}/src/app:v1`)
  await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/src/app:v1`, `docker://${reg.host}/dst/app:v1`)
  const out = await mkdtemp(join(tmpdir(), 'oci-pulled-'))
  await skopeo('copy', '--src-tls-verify=false', `docker://${reg.host}/dst/app:v1`, `oci:${out}:v1`)
  expect(await layoutManifestDigest(out)).toBe(image.manifestDigest)
})
