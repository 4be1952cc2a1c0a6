import { describe, expect, it } from 'vitest'
import { FairQueue } from '../src/queue.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const cancelled = () => new Error('cancelled')

describe('FairQueue', () => {
  it('a background request that has waited maxWaitMs gets the next slot, even while interactive ones wait', async () => {
    const q = new FairQueue({ backgroundEvery: 1000, maxWaitMs: 50 })
    q.start()
    const order: string[] = []
    const job = (name: string) => async () => {
      order.push(name)
      await sleep(30)
    }
    const signal = new AbortController().signal
    const all = [q.run('interactive', signal, cancelled, job('i0')), q.run('background', signal, cancelled, job('bg'))]
    for (let i = 1; i <= 8; i++) all.push(q.run('interactive', signal, cancelled, job(`i${i}`)))
    await Promise.all(all)
    // Each slot takes ≥ 30 ms, so by the third slot the background request has waited ≥ 60 ms.
    expect(order.indexOf('bg')).toBeGreaterThan(0)
    expect(order.indexOf('bg')).toBeLessThanOrEqual(3)
    expect(order).toHaveLength(10)
  })

  it('drain rejects every waiting request; nothing waits before start()', async () => {
    const q = new FairQueue({ backgroundEvery: 3, maxWaitMs: 30_000 })
    const signal = new AbortController().signal
    let ran = false
    const waiting = q.run('interactive', signal, cancelled, async () => void (ran = true))
    expect(q.sizes.interactive).toBe(1)
    q.drain(() => new Error('load failed'))
    await expect(waiting).rejects.toThrow('load failed')
    expect(ran).toBe(false)
    expect(q.sizes).toEqual({ running: 0, interactive: 0, background: 0 })
  })
})
