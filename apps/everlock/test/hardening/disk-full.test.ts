// Disk full: the data directory on a 64 MiB tmpfs. A push that does not fit is answered with a clear error
// (the spec's error JSON, not a dropped connection), the registry stays readable, nothing half-written is
// visible, and once space is freed the same push succeeds.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCodes } from './helpers/http.js'
import { checkImage, makeImage, pushImage, send, sha256, uploadPath, withDigest } from './helpers/oci.js'
import { Everlock, skipReason } from './helpers/serve.js'

const mountPoint = mkdtempSync(join(tmpdir(), 'everlock-diskfull-'))

function tryMount(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'pipe' })
    return undefined
  } catch (err) {
    return `mounting a tmpfs is not permitted here (${(err as Error).message.split('\n')[0]})`
  }
}

const mountSkip = skipReason ?? tryMount()

async function pushBig(t: ReturnType<Everlock['target']>, data: Buffer) {
  const start = await send(t, 'POST', '/v2/full/big/blobs/uploads/', { headers: { 'content-length': 0 } })
  expect(start.status).toBe(202)
  return send(t, 'PUT', withDigest(uploadPath(start), sha256(data)), { headers: { 'content-type': 'application/octet-stream' }, body: data })
}

describe.skipIf(mountSkip)('disk full', () => {
  let ev: Everlock
  const filler = join(mountPoint, 'filler')

  beforeAll(async () => {
    const dir = join(mountPoint, 'everlock')
    mkdirSync(dir)
    // the data dir lives on the tmpfs; the config dir too (same directory layout as Everlock.start)
    ev = await Everlock.start({ dir })
  })
  afterAll(async () => {
    await ev?.stop()
    try {
      execFileSync('umount', [mountPoint])
    } catch {
      /* not mounted */
    }
    rmSync(mountPoint, { recursive: true, force: true })
  })

  it('refuses what does not fit, stays readable, and accepts again once space is freed', async () => {
    const image = makeImage(2, 64 * 1024)
    await pushImage(ev.admin, 'full/small', 'v1', image)

    const free = statfsSync(mountPoint).bavail * statfsSync(mountPoint).bsize
    writeFileSync(filler, Buffer.alloc(Math.max(0, free - 6 * 1024 * 1024)))
    const big = randomBytes(16 * 1024 * 1024)
    const refused = await pushBig(ev.admin, big)
    expect(refused.status, refused.body.toString('utf8')).toBe(507) // Insufficient Storage
    expect(errorCodes(refused).length, refused.body.toString('utf8')).toBeGreaterThan(0)
    expect(ev.alive, ev.logs()).toBe(true)

    expect(await checkImage(ev.admin, 'full/small', 'v1', image)).toBeUndefined()
    expect((await send(ev.admin, 'HEAD', `/v2/full/big/blobs/${sha256(big)}`)).status).toBe(404)

    rmSync(filler)
    const accepted = await pushBig(ev.admin, big)
    expect(accepted.status, accepted.body.toString('utf8')).toBe(201)
    const back = await send(ev.admin, 'GET', `/v2/full/big/blobs/${sha256(big)}`)
    expect(back.status).toBe(200)
    expect(back.body.equals(big)).toBe(true)
  }, 120_000)
})
