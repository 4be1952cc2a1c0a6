import { createServer } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createFileBodySender } from '@everlock/sendfile'
import { createImageLibrary } from '@everlock/backend-image'
import { closeServer, uploadRaw, waitDerived } from './helpers/library.js'
import { jpeg } from './helpers/media.js'
import { makeJpeg } from './media/fixtures.js'

// Exactly what the README shows, with no other Everlock frontend: the library in Express and in bare node:http.
async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-embed-'))
  const stores = await openStores({ dir: join(dir, 'data') })
  const jobs = await openJobQueue({ dir: join(dir, 'jobs') })
  const sendFile = createFileBodySender()
  const library = createImageLibrary({ store: await stores.open('photos'), jobs, sendFile, log: console.error })
  jobs.start()
  return {
    library,
    sendFile,
    async tearDown() {
      await library.close()
      await jobs.close()
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

describe('embedding', () => {
  it('works inside an Express app next to its own routes', async () => {
    const { library, sendFile, tearDown } = await setUp()
    const app = express()
    app.get('/hello', (_req, res) => {
      res.send('hi')
    })
    app.use(library)
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect(await (await fetch(`${url}/hello`)).text()).toBe('hi')
      const bytes = await jpeg({ seed: 70, width: 1600, height: 1200 })
      const up = await uploadRaw(url, bytes, 'express.jpg')
      expect(up.status).toBe(201)
      await waitDerived(url, up.body.id)
      const thumb = await fetch(`${url}/api/assets/${up.body.id}/thumbnail`, { headers: { Accept: 'image/webp' } })
      expect([thumb.status, thumb.headers.get('content-type')]).toEqual([200, 'image/webp'])
      await thumb.arrayBuffer()
      const original = await fetch(`${url}/api/assets/${up.body.id}/original`)
      expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true)
      // A large original goes out through sendFile (zero-copy where the machine allows it, streamed otherwise).
      const big = await makeJpeg({ width: 3000, height: 2000 })
      expect(big.length).toBeGreaterThan(256 * 1024)
      const bigUp = await uploadRaw(url, big, 'big.jpg')
      const before = sendFile.stats()
      const range = await fetch(`${url}/api/assets/${bigUp.body.id}/original`, { headers: { Range: 'bytes=1000-' } })
      expect(range.status).toBe(206)
      expect(Buffer.from(await range.arrayBuffer()).equals(big.subarray(1000))).toBe(true)
      // The sender counts once its transfer has resolved, which may be just after the client has everything.
      const counted = () => sendFile.stats().zeroCopyBytes + sendFile.stats().streamedBytes - before.zeroCopyBytes - before.streamedBytes
      for (let i = 0; i < 100 && counted() === 0; i++) await new Promise((r) => setTimeout(r, 20))
      const after = sendFile.stats()
      expect(after.zeroCopyBytes + after.streamedBytes - before.zeroCopyBytes - before.streamedBytes).toBe(big.length - 1000)
      if (sendFile.zeroCopy) expect(after.zeroCopy).toBe(before.zeroCopy + 1)
      const list = (await (await fetch(`${url}/api/assets`)).json()) as any
      expect(list.items.map((i: { filename: string }) => i.filename).sort()).toEqual(['big.jpg', 'express.jpg'])
    } finally {
      await closeServer(server)
      await tearDown()
    }
  })

  it('works as the whole of a bare node:http server', async () => {
    const { library, tearDown } = await setUp()
    const server = createServer(library)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const up = await uploadRaw(url, await jpeg({ seed: 71 }), 'bare.jpg')
      expect(up.status).toBe(201)
      const done = await waitDerived(url, up.body.id)
      expect(done.jobs.derive.state).toBe('done')
      const other = await fetch(`${url}/index.html`)
      expect([other.status, ((await other.json()) as any).error.code]).toEqual([404, 'NOT_FOUND'])
    } finally {
      await closeServer(server)
      await tearDown()
    }
  })
})
