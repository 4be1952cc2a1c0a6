import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { expectAcknowledged, runAndKill, type Ack } from './helpers/kill-loop'

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url))
const ROUNDS = Number(process.env.EVERLOCK_CRASH_ROUNDS ?? 20)



const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

test(`SIGKILL at random moments ${ROUNDS} times: acknowledged commits survive whole, nothing partial is visible`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vs-crash-'))
  dirs.push(dir)
  const acknowledged: Ack[] = []
  for (let round = 0; round < ROUNDS; round++) {
    acknowledged.push(...(await runAndKill(child, [dir, String(round * 100_000)], () => 20 + Math.random() * 400)))

    const stores = await openStores({ dir })
    try {
      const store = await stores.open('crash')
      await expectAcknowledged(store, acknowledged)
      // still writable after the crash
      const probe = await store.putBlob(Readable.from([Buffer.from(`probe ${round}`)]))
      await store.commit([{ op: 'put', path: `probes/${round}`, digest: probe.digest, size: probe.size }], { author: 'test', message: 'probe' })
      // the temp area was swept on open
      expect(await readdir(join(dir, 'stores', 'crash', 'blobs', 'tmp'))).toEqual([])
    } finally {
      await stores.close()
    }
  }
  expect(acknowledged.length).toBeGreaterThan(ROUNDS)

  // A full check at the end: every blob hashes to its name, every entry names a blob, the chain is whole.
  const stores = await openStores({ dir })
  try {
    const report = await (await stores.open('crash')).verify()
    expect(report.problems).toEqual([])
    expect(report.commitsChecked).toBeGreaterThanOrEqual(acknowledged.length + ROUNDS)
  } finally {
    await stores.close()
  }
}, 180_000)
