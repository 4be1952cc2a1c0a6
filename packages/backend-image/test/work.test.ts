import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { Describe } from '@everlock/backend-image'
import { commitsOf, getJson, startLibrary, uploadRaw, waitDerived } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('captions through describe', () => {
  it('caption, visible text and tags land in the record (normalised, a commit by the job) and are searchable', async () => {
    const seen: Array<{ mime: string; width: number }> = []
    // A describe that really reads the file it is given.
    const describe: Describe = async (file) => {
      const meta = await sharp(file.path).metadata()
      seen.push({ mime: file.mime, width: meta.width! })
      return { caption: `  A picture ${meta.width} wide  `, text: ' EXIT ', tags: ['Blue', ' blue ', 'Sky Line', ''] }
    }
    const lib = await startLibrary({ describe })
    try {
      const up = await uploadRaw(lib.url, await jpeg({ seed: 80, width: 2000, height: 1500 }), 'sky.jpg')
      expect(up.body.jobs.caption.state).toBe('queued')
      const record = await waitFor('the caption', async () => {
        const { body } = await getJson(`${lib.url}/api/assets/${up.body.id}`)
        return body.jobs.caption.state === 'done' ? body : undefined
      })
      expect(seen).toEqual([{ mime: 'image/jpeg', width: 1440 }]) // the preview, not the 2000 px original
      expect(record).toMatchObject({ caption: 'A picture 1440 wide', captionSource: 'model', text: 'EXIT', tags: ['blue', 'sky line'] })
      expect((await commitsOf(lib.store))[0]!.author).toBe('job:caption')
      const found = await getJson(`${lib.url}/api/assets?q=${encodeURIComponent('sky line')}`)
      expect(found.body.items.map((i: any) => i.id)).toEqual([up.body.id])
      const byText = await getJson(`${lib.url}/api/assets?q=exit`)
      expect(byText.body.items).toHaveLength(1)
      // a person's caption wins over a re-caption
      await fetch(`${lib.url}/api/assets/${up.body.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ caption: 'Mine' }) })
      const again = await fetch(`${lib.url}/api/assets/${up.body.id}/caption`, { method: 'POST' })
      expect(again.status).toBe(202)
      await waitFor('the second caption', async () => (seen.length === 2 ? true : undefined))
      const after = await waitFor('the second caption commit', async () => {
        const { body } = await getJson(`${lib.url}/api/assets/${up.body.id}`)
        return body.jobs.caption.state === 'done' ? body : undefined
      })
      expect(after.caption).toBe('Mine')
    } finally {
      await lib.close()
    }
  })

  it('a failing describe fails the caption job with its reason and never blocks thumbnails', async () => {
    const describe: Describe = async () => {
      throw Object.assign(new Error('the model is not loaded'), { code: 'MODEL_UNAVAILABLE' })
    }
    const lib = await startLibrary({ describe, maxAttempts: 2 })
    try {
      const up = await uploadRaw(lib.url, await jpeg({ seed: 81 }), 'x.jpg')
      const record = await waitFor('the failed caption', async () => {
        const { body } = await getJson(`${lib.url}/api/assets/${up.body.id}`)
        return body.jobs.caption.state === 'failed' && body.jobs.caption.error ? body : undefined
      })
      expect(record.jobs.caption.error.code).toBe('MODEL_UNAVAILABLE')
      expect(record.jobs.derive.state).toBe('done')
      expect((await fetch(`${lib.url}/api/assets/${up.body.id}/thumbnail`)).status).toBe(200)
    } finally {
      await lib.close()
    }
  })

  it('without describe no caption job exists and the record says captions are unavailable', async () => {
    const lib = await startLibrary()
    try {
      const up = await uploadRaw(lib.url, await jpeg({ seed: 82 }), 'x.jpg')
      await waitDerived(lib.url, up.body.id)
      expect(up.body.jobs.caption).toEqual({ state: 'unavailable' })
      expect(await lib.jobs.list({ kind: 'image/caption/images' })).toEqual([])
      const recaption = await fetch(`${lib.url}/api/assets/${up.body.id}/caption`, { method: 'POST' })
      expect(recaption.status).toBe(404)
    } finally {
      await lib.close()
    }
  })
})

describe('derived work', () => {
  it('a job that cannot finish ends failed with its reason in the record; the server keeps serving', async () => {
    const lib = await startLibrary({ paused: true, maxAttempts: 2 })
    try {
      const up = await uploadRaw(lib.url, await jpeg({ seed: 83 }), 'lost.jpg')
      await lib.store.deleteBlob(up.body.digest) // the store lost the original's bytes
      lib.jobs.start()
      const record = await waitDerived(lib.url, up.body.id)
      expect(record.jobs.derive).toMatchObject({ state: 'failed', attempts: 2, error: { code: 'BLOB_UNKNOWN' } })
      const thumb = await getJson(`${lib.url}/api/assets/${up.body.id}/thumbnail`)
      expect([thumb.status, thumb.body.error.code, thumb.body.job.state]).toEqual([404, 'DERIVATIVE_FAILED', 'failed'])
      // The queue reports the failure at once; the record's commit (by the job) follows.
      const commit = await waitFor('the failure commit', async () => (await commitsOf(lib.store)).find((c) => c.author === 'job:derive'))
      expect(commit.message).toContain('failed: BLOB_UNKNOWN')
      expect((await getJson(`${lib.url}/api/assets/${up.body.id}`)).body.jobs.derive).toMatchObject({ state: 'failed', error: { code: 'BLOB_UNKNOWN' } })
      expect((await uploadRaw(lib.url, await jpeg({ seed: 84 }), 'next.jpg')).status).toBe(201)
    } finally {
      await lib.close()
    }
  })

  it('queued work survives a restart, and items whose job was lost are enqueued again at open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'everlock-image-restart-'))
    try {
      const first = await startLibrary({ dir, paused: true })
      const a = await uploadRaw(first.url, await jpeg({ seed: 85 }), 'a.jpg')
      await first.stop()
      const second = await startLibrary({ dir })
      expect((await waitDerived(second.url, a.body.id)).jobs.derive.state).toBe('done')
      const b = await uploadRaw(second.url, await jpeg({ seed: 86 }), 'b.jpg')
      expect(b.status).toBe(201)
      await second.stop()
      // A fresh queue directory: the job of b is gone, its record still says queued.
      await rm(join(dir, 'jobs'), { recursive: true, force: true })
      const third = await startLibrary({ dir })
      const record = await waitDerived(third.url, b.body.id)
      expect(record.jobs.derive.state).toBe('done')
      await third.stop()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('libraries on one queue', () => {
  it('a library closed and made again over the same store and queue takes over its job kinds', async () => {
    const { createImageLibrary } = await import('@everlock/backend-image')
    const { createServer } = await import('node:http')
    const lib = await startLibrary()
    try {
      await lib.library.close()
      const again = createImageLibrary({ store: lib.store, jobs: lib.jobs, log: () => {} })
      await again.ready
      const server = createServer(again)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      try {
        expect((await fetch(`${lib.url}/api/assets`)).status).toBe(503) // the closed one
        const up = await uploadRaw(url, await jpeg({ seed: 87 }), 'again.jpg')
        expect((await waitDerived(url, up.body.id)).jobs.derive.state).toBe('done')
      } finally {
        server.closeAllConnections()
        await new Promise((r) => server.close(r))
        await again.close()
      }
    } finally {
      await lib.close()
    }
  })
})
