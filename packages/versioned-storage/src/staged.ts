import type { StagedBlob } from './types'

/** A StagedBlob whose publish and discard run their work at most once between them. */
export function settleOnce(digest: string, size: number, publish: () => Promise<void>, discard: () => Promise<void>): StagedBlob {
  let settled = false
  return {
    digest,
    size,
    async publish() {
      if (settled) return
      settled = true
      await publish()
    },
    async discard() {
      if (settled) return
      settled = true
      await discard()
    },
  }
}
