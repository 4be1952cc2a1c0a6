// Mixed load: N clients loop for a fixed time; each operation is a pull (75 %: manifest GET + its layer
// GET) or a push (25 %: a fresh 256 KiB layer, its config and a manifest under a new tag).
import { OciClient } from './oci-client.js'
import { pushImage, smallImage, type SmallImage } from './image.js'

export interface MixedResult {
  readonly ops: number
  readonly opsPerSec: number
  readonly pullP50ms: number
  readonly pullP99ms: number
  readonly pushP50ms: number
  readonly pushP99ms: number
  readonly errors: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function mixedLoad(make: () => OciClient, opts: { repo: string; seed: SmallImage; clients: number; seconds: number; pushRatio?: number }): Promise<MixedResult> {
  const pulls: number[] = []
  const pushes: number[] = []
  let errors = 0
  const deadline = Date.now() + opts.seconds * 1000
  const started = Date.now()
  const layer = opts.seed.layers[0]!
  const worker = async (id: number) => {
    const client = make()
    let n = 0
    try {
      while (Date.now() < deadline) {
        const push = Math.random() < (opts.pushRatio ?? 0.25)
        const image = push ? smallImage(1, 256 * 1024) : undefined
        const t0 = performance.now()
        try {
          if (image) await pushImage(client, opts.repo, `c${id}-${n++}`, image)
          else {
            await client.getManifest(opts.repo, 'seed')
            await client.pullBlob(opts.repo, layer.digest)
          }
          ;(push ? pushes : pulls).push(performance.now() - t0)
        } catch {
          errors++
        }
      }
    } finally {
      client.close()
    }
  }
  await Promise.all(Array.from({ length: opts.clients }, (_, i) => worker(i)))
  const elapsed = (Date.now() - started) / 1000
  pulls.sort((a, b) => a - b)
  pushes.sort((a, b) => a - b)
  return {
    ops: pulls.length + pushes.length,
    opsPerSec: (pulls.length + pushes.length) / elapsed,
    pullP50ms: percentile(pulls, 50),
    pullP99ms: percentile(pulls, 99),
    pushP50ms: percentile(pushes, 50),
    pushP99ms: percentile(pushes, 99),
    errors,
  }
}
