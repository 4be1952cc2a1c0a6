import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { getJson, startLibrary, uploadRaw, waitDerived } from './helpers/library.js'
import { jpeg } from './helpers/media.js'
import { spawnServer } from './helpers/spawn.js'

const child = fileURLToPath(new URL('./helpers/child-library.ts', import.meta.url))

describe('kill -9 during derived work', () => {
  it('loses nothing: after a restart every upload gets its derivatives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'everlock-image-crash-'))
    const { proc, port } = await spawnServer(child, [dir])
    try {
      const url = `http://127.0.0.1:${port}`
      const ids: string[] = []
      for (let i = 0; i < 4; i++) {
        const up = await uploadRaw(url, await jpeg({ seed: 90 + i, width: 4000, height: 3000 }), `big-${i}.jpg`)
        expect(up.status).toBe(201)
        ids.push(up.body.id)
      }
      // Kill as soon as some derive job runs (or, on a fast machine, whatever state it is in now).
      const deadline = Date.now() + 20_000
      let states: string[] = []
      while (Date.now() < deadline) {
        states = await Promise.all(ids.map(async (id) => (await getJson(`${url}/api/assets/${id}`)).body.jobs.derive.state))
        if (states.includes('running')) break
        await new Promise((r) => setTimeout(r, 20))
      }
      proc.kill('SIGKILL')
      expect(states.filter((s) => s !== 'done').length).toBeGreaterThan(0) // work was cut off
      await new Promise((r) => proc.once('exit', r))

      const lib = await startLibrary({ dir })
      try {
        for (const id of ids) {
          const record = await waitDerived(lib.url, id)
          expect(record.jobs.derive.state).toBe('done')
          expect(record.derivatives.map((d: any) => d.name).sort()).toEqual(['preview', 'thumbnail'])
        }
        expect((await lib.store.verify({ rehash: false })).ok).toBe(true)
      } finally {
        await lib.stop()
      }
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  })
})
