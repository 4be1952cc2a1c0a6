import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commitsOf, getJson, startLibrary, uploadRaw, type TestLibrary } from './helpers/library.js'
import { jpeg } from './helpers/media.js'

let lib: TestLibrary
beforeAll(async () => {
  lib = await startLibrary({ paused: true })
})
afterAll(() => lib.close())

/** Send a request head and part of its body over a raw socket, then cut the connection. */
async function abortAfter(head: string, part: Buffer): Promise<void> {
  const { port } = new URL(lib.url)
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head)
      socket.write(part, () => setTimeout(() => (socket.destroy(), resolve()), 100))
    })
    socket.on('error', reject)
  })
}

async function settled(): Promise<void> {
  // The server notices the cut asynchronously; wait until it has no temp writes left and a request went through.
  await new Promise((r) => setTimeout(r, 300))
  await getJson(`${lib.url}/api/assets`)
}

describe('an aborted upload leaves nothing visible', () => {
  it('raw body cut halfway', async () => {
    const before = await lib.store.head()
    const bytes = await jpeg({ seed: 60, width: 1200, height: 900 })
    await abortAfter(`POST /api/assets HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nX-Filename: cut.jpg\r\nContent-Length: ${bytes.length}\r\n\r\n`, bytes.subarray(0, bytes.length >> 1))
    await settled()
    expect((await lib.store.head())?.id).toBe(before?.id)
    expect((await getJson(`${lib.url}/api/assets`)).body.items).toEqual([])
    expect((await lib.store.verify({ rehash: false })).blobsChecked).toBe(0)
  })

  it('multipart body cut in its second file', async () => {
    const before = await lib.store.head()
    const boundary = 'b0undary'
    const first = await jpeg({ seed: 61 })
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      first,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      (await jpeg({ seed: 62 })).subarray(0, 300),
    ])
    await abortAfter(`POST /api/assets HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length + 5000}\r\n\r\n`, body)
    await settled()
    expect((await lib.store.head())?.id).toBe(before?.id)
    expect((await getJson(`${lib.url}/api/assets`)).body.items).toEqual([])
  })
})

describe('DELETE', () => {
  it('removes the item from the tree and keeps it in history, with who did it', async () => {
    const bytes = await jpeg({ seed: 63 })
    const up = await uploadRaw(lib.url, bytes, 'keep-in-history.jpg')
    const id = up.body.id
    const atUpload = (await lib.store.head())!.id
    const res = await fetch(`${lib.url}/api/assets/${id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect((await getJson(`${lib.url}/api/assets/${id}`)).status).toBe(404)
    expect((await getJson(`${lib.url}/api/assets/${id}/original`)).status).toBe(404)
    expect((await getJson(`${lib.url}/api/assets?q=keep`)).body.items).toEqual([])
    expect(await lib.store.get(`assets/${id}.json`)).toBeUndefined()
    expect(await lib.store.get(`originals/${id}`)).toBeUndefined()
    // history: the record and the original at the upload commit, and the bytes are still there
    expect((await lib.store.get(`assets/${id}.json`, atUpload))?.meta?.summary).toContain('keep-in-history.jpg')
    const original = await lib.store.get(`originals/${id}`, atUpload)
    expect(original?.digest).toBe(`sha256:${id}`)
    expect(await lib.store.statBlob(original!.digest)).toEqual({ digest: original!.digest, size: bytes.length })
    const log = await commitsOf(lib.store)
    expect(log[0]).toMatchObject({ author: 'anonymous', message: `delete keep-in-history.jpg (${id})` })
    expect(log[1]).toMatchObject({ author: 'anonymous', message: 'upload keep-in-history.jpg' })
    const again = await fetch(`${lib.url}/api/assets/${id}`, { method: 'DELETE' })
    expect([again.status, ((await again.json()) as any).error.code]).toEqual([404, 'ASSET_NOT_FOUND'])
  })

  it('the same bytes uploaded after a delete are a new item again (201) with the earlier derivatives', async () => {
    lib.jobs.start()
    const bytes = await jpeg({ seed: 64 })
    const first = await uploadRaw(lib.url, bytes, 'back.jpg')
    const { waitDerived } = await import('./helpers/library.js')
    const derived = await waitDerived(lib.url, first.body.id)
    await fetch(`${lib.url}/api/assets/${first.body.id}`, { method: 'DELETE' })
    const second = await uploadRaw(lib.url, bytes, 'back again.jpg')
    expect(second.status).toBe(201)
    const redone = await waitDerived(lib.url, second.body.id)
    expect(redone.filename).toBe('back again.jpg')
    expect(redone.derivatives.map((d: any) => d.digest).sort()).toEqual(derived.derivatives.map((d: any) => d.digest).sort())
  })
})
