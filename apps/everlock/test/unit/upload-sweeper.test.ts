// The scheduled upload sweep over real stores in a temp dir.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Log } from '../../src/log.js'
import { startUploadSweeper } from '../../src/upload-sweeper.js'

const dir = mkdtempSync(join(tmpdir(), 'everlock-sweeper-'))
let stores: Stores
beforeAll(async () => {
  stores = await openStores({ dir })
})
afterAll(async () => {
  await stores.close()
  rmSync(dir, { recursive: true, force: true })
})

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = []
  const put = (m: string, f?: Record<string, unknown>) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`)
  return { lines, info: put, warn: put, error: put }
}

it('every interval, each store loses its expired uploads and old orphan files, and the pass is logged', async () => {
  const a = await stores.open('reg-a')
  const b = await stores.open('reg-b')
  const stale = await a.uploads.create({ meta: { by: 'oci' } })
  await a.uploads.append(stale.id, Readable.from([Buffer.alloc(1000)]))
  const dayAgo = new Date(Date.now() - 25 * 3600_000).toISOString()
  await a.state.put(`upload/${stale.id}`, JSON.stringify({ startedAt: dayAgo, updatedAt: dayAgo, size: 1000 }))
  const live = await a.uploads.create()
  const bUploads = join(dir, 'stores', 'reg-b', 'uploads')
  writeFileSync(join(bUploads, 'crash-leftover'), Buffer.alloc(117 * 1024))
  const hourAgo = new Date(Date.now() - 3600_000)
  utimesSync(join(bUploads, 'crash-leftover'), hourAgo, hourAgo)
  writeFileSync(join(bUploads, 'being-created'), 'x')

  const log = recordingLog()
  const sweeper = startUploadSweeper({ stores, log, intervalMs: 50 })
  try {
    for (let i = 0; i < 400 && log.lines.length < 2; i++) await new Promise((r) => setTimeout(r, 25))
  } finally {
    await sweeper.close()
  }
  expect(log.lines.sort()).toEqual([
    'uploads swept in store reg-a {"expired":1,"orphans":0,"truncated":0,"freedBytes":1000}',
    `uploads swept in store reg-b {"expired":0,"orphans":1,"truncated":0,"freedBytes":${117 * 1024}}`,
  ])
  expect(await a.uploads.status(stale.id)).toBeUndefined()
  expect(await a.uploads.status(live.id)).toBeDefined()
  expect(readdirSync(bUploads)).toEqual(['being-created']) // younger than the grace: perhaps being written now
  expect(b.name).toBe('reg-b')
})

it('sweep() runs a pass now; after close() the schedule stops', async () => {
  const log = recordingLog()
  const sweeper = startUploadSweeper({ stores, log, intervalMs: 60_000, graceMs: 0 })
  await sweeper.sweep()
  expect(log.lines).toEqual([`uploads swept in store reg-b {"expired":0,"orphans":1,"truncated":0,"freedBytes":1}`])
  await sweeper.close()
})
