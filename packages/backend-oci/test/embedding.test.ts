import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import { expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { createOciRegistry, type Authorize } from '@everlock/backend-oci'
import { client, errorCode } from './helpers/client'
import { startRegistry } from './helpers/server'

test('mounts in an Express app, next to the app\'s own routes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oci-express-'))
  const stores = await openStores({ dir })
  const registry = createOciRegistry({ store: await stores.open('oci') })
  const app = express()
  app.get('/hello', (_req, res) => {
    res.send('hi')
  })
  app.use(registry)
  const server = createServer(app)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const c = client(base)
    const img = await c.pushImage('express/app', 'v1')
    expect((await c.req('GET', '/v2/express/app/manifests/v1')).text).toBe(img.body)
    expect((await fetch(`${base}/hello`)).status).toBe(200)
  } finally {
    registry.close()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await stores.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('the embedder\'s authorize decides each need; refusals are OCI errors with the challenge', async () => {
  const needs: string[] = []
  // "alice" may write (not delete) team/*, everyone signed in reads; no credentials → 401; "bob" → 403 on writes
  const authorize: Authorize = async (req, need) => {
    needs.push(`${need.role}:${need.path}`)
    const user = req.headers.authorization === 'Bearer alice' ? 'alice' : req.headers.authorization === 'Bearer bob' ? 'bob' : undefined
    if (!user) return { ok: false, status: 401, challenge: 'Basic realm="test"' }
    if (need.role === 'reader') return { ok: true, identity: { user } }
    if (user === 'alice' && need.role === 'writer' && need.path.startsWith('team/')) return { ok: true, identity: { user } }
    return { ok: false, status: 403 }
  }
  const reg = await startRegistry({ authorize }) // a bare node:http server over a fresh store
  const { base, store } = reg
  try {
    const anon = await client(base).req('GET', '/v2/team/app/tags/list')
    expect(anon.status).toBe(401)
    expect(errorCode(anon)).toBe('UNAUTHORIZED')
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="test"')
    expect((await client(base).req('GET', '/v2/')).status).toBe(401)
    expect((await client(base, { Authorization: 'Bearer bob' }).req('GET', '/v2/')).status).toBe(200)

    const alice = client(base, { Authorization: 'Bearer alice' })
    await alice.pushImage('team/app', 'v1')
    const commits = []
    for await (const commit of store.log()) commits.push(commit)
    expect(commits).toHaveLength(1)
    expect(commits[0]).toMatchObject({ author: 'alice', message: expect.stringContaining('team/app:v1') })

    const bob = client(base, { Authorization: 'Bearer bob' })
    const denied = await bob.req('POST', '/v2/team/app/blobs/uploads/')
    expect(denied.status).toBe(403)
    expect(errorCode(denied)).toBe('DENIED')
    expect((await bob.req('GET', '/v2/team/app/manifests/v1')).status).toBe(200)
    expect(errorCode(await alice.req('DELETE', '/v2/team/app/manifests/v1'))).toBe('DENIED')
    expect(needs).toContain('owner:team/app')
    // a mount needs reader on the source as well as writer on the target
    needs.length = 0
    const digest = await alice.pushBlob('team/src', 'shared')
    await alice.req('POST', `/v2/team/dst/blobs/uploads/?mount=${digest}&from=team/src`)
    expect(needs).toEqual(expect.arrayContaining(['writer:team/dst', 'reader:team/src']))
  } finally {
    await reg.close()
  }
})
