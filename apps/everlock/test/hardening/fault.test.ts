// Crash safety: SIGKILL `everlock serve` at random moments while 10 clients push images, restart it, and
// check that every push a client saw succeed pulls back byte-identical, that every visible tag is a whole
// image, that the store verifies clean, and that abandoned uploads are either gone or intact.
// EVERLOCK_FAULT_ROUNDS sets the number of kills (default 5; `bench/` runs the long 50-round version).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OCI_MANIFEST, checkImage, send, sha256, uploadPath, type Target } from './helpers/oci.js'
import { startPushers, type Pushed } from './helpers/pushers.js'
import { Everlock, skipReason } from './helpers/serve.js'
import { verifyStore } from './helpers/store.js'

const ROUNDS = Number(process.env.EVERLOCK_FAULT_ROUNDS ?? 5)
const CLIENTS = 10

/** Every tag (starting with `prefix`) of every repository under fault/ must be a whole image whose bytes match. */
async function checkVisible(t: Target, prefix = ''): Promise<string[]> {
  const problems: string[] = []
  const catalog = JSON.parse((await send(t, 'GET', '/v2/_catalog?n=10000')).body.toString('utf8')) as { repositories: string[] }
  for (const repo of catalog.repositories.filter((r) => r.startsWith('fault/'))) {
    const tags = (JSON.parse((await send(t, 'GET', `/v2/${repo}/tags/list?n=10000`)).body.toString('utf8')) as { tags: string[] | null }).tags ?? []
    for (const tag of tags.filter((x) => x.startsWith(prefix))) {
      const m = await send(t, 'GET', `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } })
      if (m.status !== 200) {
        problems.push(`${repo}:${tag} listed but manifest answers ${m.status}`)
        continue
      }
      const manifest = JSON.parse(m.body.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> }
      for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
        const b = await send(t, 'GET', `/v2/${repo}/blobs/${d}`)
        if (b.status !== 200 || sha256(b.body) !== d) problems.push(`${repo}:${tag} blob ${d}: ${b.status}, ${b.body.length} bytes`)
      }
    }
  }
  return problems
}

async function lostPushes(t: Target, pushes: readonly Pushed[]): Promise<string[]> {
  const lost: string[] = []
  for (const push of pushes) {
    const problem = await checkImage(t, push.repo, push.tag, push.image)
    if (problem) lost.push(problem)
  }
  return lost
}

describe.skipIf(skipReason)('fault: SIGKILL during pushes', () => {
  let ev: Everlock

  beforeAll(async () => {
    ev = await Everlock.start()
  })
  afterAll(async () => {
    await ev?.dispose()
  })

  it(`keeps every acknowledged push across ${ROUNDS} kills`, async () => {
    const acknowledged: Pushed[] = []
    let abandoned: { path: string; data: Buffer } | undefined
    for (let round = 0; round < ROUNDS; round++) {
      const pushers = startPushers(() => ev.admin, CLIENTS, `r${round}`)
      // an upload that will never be finished: started, one chunk acknowledged
      const start = await send(ev.admin, 'POST', '/v2/fault/abandoned/blobs/uploads/', { headers: { 'content-length': 0 } })
      const data = Buffer.from(`abandoned ${round} `.repeat(1000))
      const patch = await send(ev.admin, 'PATCH', uploadPath(start), { headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${data.length - 1}` }, body: data })
      expect(patch.status).toBe(202)
      abandoned = { path: uploadPath(patch), data }
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500))
      await ev.kill()
      await pushers.stop()
      acknowledged.push(...pushers.succeeded)
      ev = await ev.restart()

      // this round's pushes, and a sample of the earlier ones (all of them again at the end)
      const older = acknowledged.slice(0, acknowledged.length - pushers.succeeded.length)
      const sample = [...pushers.succeeded, ...older.sort(() => Math.random() - 0.5).slice(0, 20)]
      expect(await lostPushes(ev.admin, sample), `round ${round}: acknowledged pushes lost`).toEqual([])
      expect(await checkVisible(ev.admin, `r${round}-`), `round ${round}: partial images visible`).toEqual([])
      // the abandoned upload: gone (expired/swept), or still holding exactly the acknowledged bytes
      const status = await send(ev.admin, 'GET', abandoned.path)
      expect([204, 404]).toContain(status.status)
      if (status.status === 204) expect(status.headers.range).toBe(`0-${abandoned.data.length - 1}`)
    }
    expect(acknowledged.length).toBeGreaterThan(0)
    expect(await lostPushes(ev.admin, acknowledged), 'acknowledged pushes lost').toEqual([])
    expect(await checkVisible(ev.admin), 'partial images visible').toEqual([])
    const report = await verifyStore(ev)
    expect(report.problems, report.output).toEqual([])
  }, Math.max(600_000, ROUNDS * 40_000))
})
