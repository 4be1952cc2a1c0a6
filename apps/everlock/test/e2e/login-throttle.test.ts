// --frontend-http-login-throttle-ms reaches the HTTP frontend's login throttle of a real `everlock serve`.
import { afterEach, describe, expect, it } from 'vitest'
import { built, Child, Everlock, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'
import { request } from '../helpers/http.js'

const running: Everlock[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
  dirs.splice(0).forEach(removeDir)
})

async function start(throttleMs: string): Promise<Everlock> {
  const dir = tempDir('throttle')
  dirs.push(dir)
  const everlock = await Everlock.start(dir, { args: (http, ssh) => seedArgs(dir, http, ssh, ['--frontend-http-login-throttle-ms', throttleMs]) })
  running.push(everlock)
  return everlock
}

/** One failed login (the admin's name, a wrong password) from one address; its status and how long it took. */
async function badLogin(everlock: Everlock): Promise<{ status: number; ms: number }> {
  const t0 = performance.now()
  const reply = await request({ port: everlock.http, host: 'localhost', path: '/v2/', auth: ['admin', 'wrong'] })
  return { status: reply.status, ms: performance.now() - t0 }
}

describe.skipIf(!built)('everlock serve --frontend-http-login-throttle-ms', () => {
  it('0 answers repeated failed logins without a penalty delay; the right password still works', async () => {
    const everlock = await start('0')
    const times: number[] = []
    for (let i = 0; i < 8; i++) {
      const bad = await badLogin(everlock)
      expect(bad.status).toBe(401)
      times.push(bad.ms)
    }
    // With the default (100 ms doubling, 4 s cap) the 6th to 8th would each wait 3.2-4 s more than the first,
    // which pays no penalty either way; with 0 each costs what the first did (a KDF run), however loaded the machine.
    expect(Math.max(...times.slice(1))).toBeLessThan(Math.max(1500, 3 * times[0]!))
    const ok = await request({ port: everlock.http, host: 'localhost', path: '/v2/', auth: ['admin', 'change-me'] })
    expect(ok.status).toBe(200)
  })

  it('a larger base delays the first failure by it and doubles it for the next', async () => {
    const everlock = await start('300')
    const first = await badLogin(everlock)
    const second = await badLogin(everlock)
    expect([first.status, second.status]).toEqual([401, 401])
    expect(first.ms).toBeGreaterThanOrEqual(290)
    expect(second.ms).toBeGreaterThanOrEqual(590)
  })

  it('refuses a value that is not a whole number of milliseconds with exit code 2', async () => {
    const dir = tempDir('throttle-bad')
    dirs.push(dir)
    const exit = await Child.spawn(seedArgs(dir, 1, 1, ['--frontend-http-login-throttle-ms', '1.5']), dir).exited
    expect(exit.code).toBe(2)
    expect(exit.output).toMatch(/--frontend-http-login-throttle-ms: expected a whole number/)
    expect(exit.output).not.toContain('change-me')
  })
})
