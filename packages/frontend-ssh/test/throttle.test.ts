import { describe, expect, it } from 'vitest'
import { FailureThrottle } from '../src/throttle.js'

describe('FailureThrottle', () => {
  it('grows the delay per address, caps it, and forgets after a success or a quiet spell', () => {
    let now = 0
    const t = new FailureThrottle(undefined, 60_000, () => now)
    expect([t.fail('a'), t.fail('a'), t.fail('a')]).toEqual([250, 500, 1000])
    expect(t.fail('b')).toBe(250)
    for (let i = 0; i < 10; i++) t.fail('a')
    expect(t.fail('a')).toBe(5000)
    t.succeed('a')
    expect(t.fail('a')).toBe(250)
    now += 60_000
    expect(t.fail('a')).toBe(250)
  })
})
