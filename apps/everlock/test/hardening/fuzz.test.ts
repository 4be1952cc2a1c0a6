// Generated hostile requests against a running `everlock serve`: at least EVERLOCK_FUZZ_REQUESTS (10,000)
// requests; the server never crashes, never answers 5xx to a client's mistake, answers with the spec's
// error codes, and what was refused changes nothing a client (or the store log) can see.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Counter } from './helpers/expect-reply.js'
import { chunkCase, digestCase, nameCase, unknownUploadCase, uploadDigestCase, type Case, type Seeded } from './helpers/fuzz-cases.js'
import { manifestCase, oversizedManifestCase, paginationCase, randomCase, rangeCase } from './helpers/fuzz-cases-more.js'
import { rawCase } from './helpers/fuzz-cases-raw.js'
import { makeImage, pushImage, send } from './helpers/oci.js'
import { Everlock, skipReason } from './helpers/serve.js'
import { snapshot } from './helpers/snapshot.js'
import { storeHead } from './helpers/store.js'

const TARGET = Number(process.env.EVERLOCK_FUZZ_REQUESTS ?? 10_000)

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: nameCase, weight: 3 },
  { arbitrary: digestCase, weight: 3 },
  { arbitrary: uploadDigestCase, weight: 2 },
  { arbitrary: chunkCase, weight: 2 },
  { arbitrary: unknownUploadCase, weight: 1 },
  { arbitrary: manifestCase, weight: 3 },
  { arbitrary: rangeCase, weight: 2 },
  { arbitrary: paginationCase, weight: 1 },
  { arbitrary: randomCase, weight: 3 },
  { arbitrary: rawCase, weight: 1 },
)

describe.skipIf(skipReason)('fuzz: generated hostile requests', () => {
  let ev: Everlock
  let seeded: Seeded

  beforeAll(async () => {
    ev = await Everlock.start()
    const image = makeImage(1, 8000)
    await pushImage(ev.admin, 'fuzz/base', 'v1', image)
    const config = image.blobs[0]!
    seeded = { repo: 'fuzz/base', tag: 'v1', layer: image.blobs[1]!, config: { digest: config.digest, size: config.data.length } }
  })
  afterAll(async () => {
    await ev?.dispose()
  })

  it(`answers ${TARGET} generated requests without a crash, a 5xx or a visible change`, async () => {
    const n = new Counter()
    const before = await snapshot(ev.admin)
    const headBefore = await storeHead(ev)
    await fc.assert(fc.asyncProperty(oversizedManifestCase, (c) => c.run(ev.admin, seeded, n)), { numRuns: 8 })
    while (n.requests < TARGET) {
      await fc.assert(
        fc.asyncProperty(anyCase, async (c) => {
          await c.run(ev.admin, seeded, n)
        }),
        { numRuns: 500 },
      )
      expect(ev.alive, ev.logs()).toBe(true)
    }
    expect(n.requests).toBeGreaterThanOrEqual(TARGET)
    const ping = await send(ev.admin, 'GET', '/v2/')
    expect(ping.status).toBe(200)
    expect(await snapshot(ev.admin)).toEqual(before)
    expect(await storeHead(ev)).toEqual(headBefore)
  }, 600_000)
})
