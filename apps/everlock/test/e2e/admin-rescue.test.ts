// The last administrator cannot lock everyone out, and `--admin-user … --admin-password …` rescues an existing user.
import { join } from 'node:path'
import { openStores } from '@everlock/versioned-storage'
import { afterAll, describe, expect, it } from 'vitest'
import { built, Everlock, removeDir, seedArgs, tempDir } from '../helpers/everlock.js'

/** The console's answer whether the command succeeded (exit 0) or not (exit 1). */
const answer = (p: Promise<string>): Promise<string> => p.catch((err: { stdout?: string }) => `failed: ${err.stdout ?? ''}`)

describe.skipIf(!built)('the last administrator and the documented rescue', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach(removeDir))

  it('refuses revoking the last owner; serve --admin-user/--admin-password on an existing user sets its password and restores its grant', async () => {
    const d = tempDir('rescue')
    dirs.push(d)
    const withPassword = (pw: string) => (http: number, ssh: number) => seedArgs(d, http, ssh).map((a) => (a === 'change-me' ? pw : a))
    let e = await Everlock.start(d)
    try {
      const refused = await answer(e.console('/users revoke admin */*/*'))
      expect(refused).toMatch(/^failed: refused: this would leave no user with owner on \*\/\*\/\*/)
      expect(await e.console('/users grants admin')).toMatch(/user:admin\s+\*\/\*\/\*\s+owner/)
      // lock admin out the legitimate way: another owner takes over, admin's password is lost
      await e.console('/users add bob bob-pw')
      await e.console('/users grant bob */*/* owner')
      await e.console('/users passwd admin forgotten-pw')
      await e.console('/users revoke admin */*/*', 'bob', 'bob-pw')
    } finally {
      await e.stop()
    }

    e = await Everlock.start(d, { args: withPassword('fresh-pw') })
    try {
      expect(e.proc.output).toMatch(/admin user admin rescued: password set, owner on \*\/\*\/\* restored/)
      expect(e.proc.output).not.toContain('fresh-pw')
      expect(await e.console('/users grants admin', 'admin', 'fresh-pw')).toMatch(/user:admin\s+\*\/\*\/\*\s+owner/)
      const log = await e.console('/store log everlock-system 1', 'admin', 'fresh-pw')
      expect(log).toMatch(/ everlock-serve rescue admin admin: set its password and restore owner on \*\/\*\/\*$/m)
      expect(log).not.toContain('fresh-pw')
    } finally {
      await e.stop()
    }

    // a data directory where nobody is an administrator any more (as the bug left it): the rescue starts
    const stores = await openStores({ dir: join(d, 'data') })
    const system = await stores.open('everlock-system')
    await system.commit([{ op: 'delete', path: 'grants/users/admin.json' }, { op: 'delete', path: 'grants/users/bob.json' }], { author: 'test', message: 'as the bug left it' })
    await stores.close()
    e = await Everlock.start(d)
    try {
      expect(e.proc.output).not.toMatch(/ADMIN_REQUIRED|no user can administer/)
      expect(await e.console('/users grants admin')).toMatch(/user:admin\s+\*\/\*\/\*\s+owner/)
    } finally {
      expect((await e.stop()).code).toBe(0)
    }
  }, 180_000)
})
