// Clients that push images in a loop until told to stop, remembering which pushes they saw succeed.
import { randomBytes } from 'node:crypto'
import { makeImage, pushImage, type Target, type TestImage } from './oci.js'

export interface Pushed {
  readonly repo: string
  readonly tag: string
  readonly image: TestImage
}

export interface Pushers {
  readonly succeeded: Pushed[]
  /** Pushes that were in flight or failed: their outcome is unknown to the client. */
  readonly unsure: Pushed[]
  stop(): Promise<void>
}

export function startPushers(target: () => Target, count: number, label: string): Pushers {
  const succeeded: Pushed[] = []
  const unsure: Pushed[] = []
  let running = true
  const loop = async (i: number) => {
    let n = 0
    while (running) {
      const layers = 1 + (randomBytes(1)[0]! % 3)
      const image = makeImage(layers, 1024 + (randomBytes(2).readUInt16BE(0) % 4) * 64 * 1024)
      const push = { repo: `fault/c${i}`, tag: `${label}-${n++}`, image }
      try {
        await pushImage(target(), push.repo, push.tag, image)
        succeeded.push(push)
      } catch {
        unsure.push(push)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }
  const loops = Array.from({ length: count }, (_, i) => loop(i))
  return {
    succeeded,
    unsure,
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}
