import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, openSystem, type System } from './helpers'

/** Median time of `runs` calls, interleaved by the caller to share the machine's noise. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

describe('password verification does not reveal whether a user exists', () => {
  let sys: System
  // A real memory-hard cost (N=2^14, 16 MiB) so the KDF dominates; the default is 2^15.
  beforeAll(async () => {
    sys = await openSystem({ kdf: { N: 2 ** 14 } })
    await sys.auth.addUser('alice', 'right password', admin)
  })
  afterAll(() => sys.close())

  // retried: on a loaded CI machine one unlucky run is noise, three in a row would be a finding
  it('unknown users, anon and wrong passwords take about as long as each other', { retry: 2 }, async () => {
    const time = async (name: string, pw: string) => {
      const t = process.hrtime.bigint()
      const identity = await sys.auth.verifyPassword(name, pw)
      return { ms: Number(process.hrtime.bigint() - t) / 1e6, identity }
    }
    const kinds = {
      wrong: () => time('alice', 'wrong password'),
      right: () => time('alice', 'right password'),
      unknown: () => time('nobody', 'wrong password'),
      anon: () => time('anon', 'wrong password'),
      invalid: () => time('Not A Name!', 'x'),
    }
    const samples: Record<string, number[]> = { wrong: [], right: [], unknown: [], anon: [], invalid: [] }
    await kinds.wrong() // warm-up
    for (let i = 0; i < 7; i++) {
      for (const [kind, run] of Object.entries(kinds)) {
        const { ms, identity } = await run()
        expect(identity === undefined).toBe(kind !== 'right')
        samples[kind]!.push(ms)
      }
    }
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
    console.log('verifyPassword medians (ms, scrypt N=2^14):', m)
    // Loose bounds: a shared 2-core machine is noisy, but a skipped KDF would be ~100x faster.
    for (const kind of ['unknown', 'anon', 'invalid', 'right']) {
      expect(m[kind]! / m.wrong!).toBeGreaterThan(0.5)
      expect(m[kind]! / m.wrong!).toBeLessThan(2)
    }
    expect(m.wrong).toBeGreaterThan(10)
  })
})
