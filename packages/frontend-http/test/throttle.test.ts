import { describe, expect, it } from 'vitest'
import { createCredentialCache, createLoginThrottle } from '@everlock/frontend-http'
import { admin, openSystem } from './helpers.js'

/** A check whose answer the test gives, counting how often the throttle ran it. */
function deferred(): { run: () => Promise<string | undefined>; answer: (value: string | undefined) => void; readonly runs: number } {
  let answer!: (value: string | undefined) => void
  const result = new Promise<string | undefined>((resolve) => (answer = resolve))
  let runs = 0
  return {
    run: () => {
      runs++
      return result
    },
    answer: (value) => answer(value),
    get runs() {
      return runs
    },
  }
}

const tick = () => new Promise((r) => setTimeout(r, 20))

describe('login throttle checks', () => {
  it('bounds distinct pending checks of a penalised address only, sharing identical ones', async () => {
    const throttle = createLoginThrottle({ baseDelayMs: 0, maxDelayMs: 0, maxPending: 2 })
    // in good standing: no bound
    const free = [deferred(), deferred(), deferred()]
    const freeResults = free.map((d, i) => throttle.check('10.0.0.1', `k${i}`, d.run))
    expect(throttle.pending('10.0.0.1')).toBe(3)
    free.forEach((d) => d.answer('ok'))
    expect(await Promise.all(freeResults)).toEqual(['ok', 'ok', 'ok'])
    expect(throttle.pending('10.0.0.1')).toBe(0)

    await throttle.failure('10.0.0.1') // penalised now
    const a = deferred()
    const b = deferred()
    const first = throttle.check('10.0.0.1', 'a', a.run)
    const second = throttle.check('10.0.0.1', 'b', b.run)
    const third = deferred()
    await expect(throttle.check('10.0.0.1', 'c', third.run)).rejects.toMatchObject({ code: 'LOGIN_THROTTLED', retryAfterSeconds: 1 })
    expect(third.runs).toBe(0) // refused without checking
    // the same credentials join the pending check instead of taking a place
    const again = throttle.check('10.0.0.1', 'a', deferred().run)
    // credentials known as good pass the bound
    const known = deferred()
    const remembered = throttle.check('10.0.0.1', 'r', known.run, { remembered: true })
    // other addresses are not affected
    const other = deferred()
    const elsewhere = throttle.check('10.0.0.2', 'c', other.run)
    a.answer('alice')
    b.answer('bob')
    known.answer('carol')
    other.answer('dave')
    expect(await Promise.all([first, again, second, remembered, elsewhere])).toEqual(['alice', 'alice', 'bob', 'carol', 'dave'])
    expect(a.runs).toBe(1)
  })

  it('answers a success at once while failures from the address wait their turn', async () => {
    const throttle = createLoginThrottle({ baseDelayMs: 150, maxDelayMs: 150 })
    const order: string[] = []
    const wrong1 = throttle.check('10.0.0.9', 'w1', async () => undefined).then(() => order.push('wrong-1'))
    const wrong2 = throttle.check('10.0.0.9', 'w2', async () => undefined).then(() => order.push('wrong-2'))
    await tick()
    const right = deferred()
    const good = throttle.check('10.0.0.9', 'r', right.run).then(() => order.push('right'))
    right.answer('ok')
    await good
    expect(order).toEqual(['right']) // the failures are still waiting (150 ms, then 300 ms in turn)
    await Promise.all([wrong1, wrong2])
    expect(order).toEqual(['right', 'wrong-1', 'wrong-2'])
    expect(throttle.pending('10.0.0.9')).toBe(0)
  })

  it('refuses bad options with OPTIONS_INVALID', () => {
    expect(() => createLoginThrottle({ maxPending: 0 })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }))
  })
})

describe('credential cache bounds', () => {
  it('runs at most maxChecks distinct KDF runs at once, sharing identical ones', async () => {
    const sys = await openSystem()
    try {
      await sys.auth.bootstrapAdmin('admin', 'admin-pw')
      await sys.auth.addUser('alice', 'alice-pw', admin)
      const cache = createCredentialCache({ auth: sys.auth, maxChecks: 1 })
      const first = cache.verifyPassword('alice', 'alice-pw')
      const shared = cache.verifyPassword('alice', 'alice-pw')
      await expect(cache.verifyPassword('admin', 'admin-pw')).rejects.toMatchObject({ code: 'LOGIN_OVERLOADED', retryAfterSeconds: 1 })
      expect(await first).toMatchObject({ user: 'alice' })
      expect(await shared).toMatchObject({ user: 'alice' })
      expect(sys.kdfRuns).toBe(1)
      expect(await cache.verifyPassword('admin', 'admin-pw')).toMatchObject({ user: 'admin' })
      expect(() => createCredentialCache({ auth: sys.auth, maxChecks: 0 })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }))
      cache.close()
    } finally {
      await sys.close()
    }
  })

  it('remembers verified credentials past the ttl, until the password changes', async () => {
    const sys = await openSystem()
    try {
      await sys.auth.bootstrapAdmin('admin', 'admin-pw')
      await sys.auth.addUser('alice', 'alice-pw', admin)
      let t = 0
      const cache = createCredentialCache({ auth: sys.auth, ttlMs: 1000, rememberMs: 10_000, now: () => t })
      expect(cache.remembers('alice', 'alice-pw')).toBe(false)
      await cache.verifyPassword('alice', 'alice-pw')
      t = 5000
      expect([cache.has('alice', 'alice-pw'), cache.remembers('alice', 'alice-pw')]).toEqual([false, true])
      expect(cache.remembers('alice', 'other')).toBe(false)
      await sys.auth.setPassword('alice', 'new-pw', admin)
      expect(cache.remembers('alice', 'alice-pw')).toBe(false)
      await cache.verifyPassword('alice', 'new-pw')
      t = 20_000
      expect(cache.remembers('alice', 'new-pw')).toBe(false)
      cache.close()
    } finally {
      await sys.close()
    }
  })
})
