import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { client, errorCode } from './helpers/client'
import { sha256 } from './helpers/image'
import { startRegistry, type Running } from './helpers/server'

let reg: Running
let c: ReturnType<typeof client>
beforeAll(async () => {
  reg = await startRegistry({ maxManifestBytes: 64 * 1024 })
  c = client(reg.base)
})
afterAll(async () => {
  await reg.close()
})

describe('base and routing', () => {
  test('/v2/ answers 200 with the API version header', async () => {
    const r = await c.req('GET', '/v2/')
    expect(r.status).toBe(200)
    expect(r.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  })
  test('unknown endpoints are 404 and unsupported methods 405 UNSUPPORTED', async () => {
    expect((await c.req('GET', '/v2/a/nothing/here')).status).toBe(404)
    const r = await c.req('POST', '/v2/a/tags/list')
    expect(r.status).toBe(405)
    expect(errorCode(r)).toBe('UNSUPPORTED')
  })
  test('invalid repository names are NAME_INVALID, including traversal', async () => {
    for (const name of ['UPPER/case', 'a//b', '-lead', 'x'.repeat(256)]) {
      const r = await c.req('GET', `/v2/${name}/tags/list`)
      expect(r.status, name).toBe(400)
      expect(errorCode(r)).toBe('NAME_INVALID')
    }
    // fetch would normalise '..' and '%2e%2e' away; send the raw path
    const raw = (method: string, path: string) =>
      new Promise<{ status: number; code: string | undefined }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: Number(reg.host.split(':')[1]), method, path }, (res) => {
          let text = ''
          res.on('data', (chunk: Buffer) => (text += chunk.toString()))
          res.on('end', () => resolve({ status: res.statusCode!, code: text ? JSON.parse(text).errors?.[0]?.code : undefined }))
        }).on('error', reject).end()
      })
    expect((await raw('GET', '/v2/a/../etc/tags/list')).status).toBe(400)
    // percent-encoded traversal or slashes are not hidden behind a 404: the name is invalid
    for (const path of ['/v2/a/%2e%2e/b/tags/list', '/v2/a%2Fb/tags/list', '/v2/a/%2E%2E/manifests/v1', `/v2/a%2fb/blobs/${sha256('x')}`, '/v2/a/%2e%2e/b/blobs/uploads/']) {
      expect(await raw(path.endsWith('/uploads/') ? 'POST' : 'GET', path), path).toEqual({ status: 400, code: 'NAME_INVALID' })
    }
  })
})

describe('blobs', () => {
  test('monolithic POST ?digest=, HEAD, GET, single Range', async () => {
    const data = Buffer.from('0123456789abcdef')
    const digest = await c.pushBlob('blobs/mono', data)
    const head = await c.req('HEAD', `/v2/blobs/mono/blobs/${digest}`)
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('16')
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    expect((await c.req('GET', `/v2/blobs/mono/blobs/${digest}`)).text).toBe('0123456789abcdef')
    const part = await c.req('GET', `/v2/blobs/mono/blobs/${digest}`, undefined, { Range: 'bytes=2-5' })
    expect(part.status).toBe(206)
    expect(part.text).toBe('2345')
    expect(part.headers.get('content-range')).toBe('bytes 2-5/16')
    const bad = await c.req('GET', `/v2/blobs/mono/blobs/${digest}`, undefined, { Range: 'bytes=99-' })
    expect(bad.status).toBe(416)
  })
  test('a blob is visible only to repositories it was pushed or mounted to (BLOB_UNKNOWN elsewhere)', async () => {
    const digest = await c.pushBlob('iso/one', 'private bytes')
    const r = await c.req('GET', `/v2/iso/two/blobs/${digest}`)
    expect(r.status).toBe(404)
    expect(errorCode(r)).toBe('BLOB_UNKNOWN')
  })
  test('a digest mismatch is DIGEST_INVALID and stores nothing; sha512 is UNSUPPORTED; garbage DIGEST_INVALID', async () => {
    const wrong = sha256('something else')
    const r = await c.req('POST', `/v2/blobs/bad/blobs/uploads/?digest=${wrong}`, 'actual bytes')
    expect(r.status).toBe(400)
    expect(errorCode(r)).toBe('DIGEST_INVALID')
    expect(await reg.store.statBlob(sha256('actual bytes'))).toBeUndefined()
    const r512 = await c.req('POST', `/v2/blobs/bad/blobs/uploads/?digest=sha512:${'a'.repeat(128)}`, 'x')
    expect(errorCode(r512)).toBe('UNSUPPORTED')
    const junk = await c.req('POST', `/v2/blobs/bad/blobs/uploads/?digest=sha256:nothex`, 'x')
    expect(errorCode(junk)).toBe('DIGEST_INVALID')
  })
  test('POST then PUT with the whole body', async () => {
    const start = await c.req('POST', '/v2/blobs/postput/blobs/uploads/')
    expect(start.status).toBe(202)
    const location = start.headers.get('location')!
    expect(location).toMatch(/^\/v2\/blobs\/postput\/blobs\/uploads\/[0-9a-f-]{36}$/)
    const digest = sha256('post then put')
    const done = await c.req('PUT', `${location}?digest=${digest}`, 'post then put', { 'Content-Type': 'application/octet-stream' })
    expect(done.status).toBe(201)
    expect(done.headers.get('location')).toBe(`/v2/blobs/postput/blobs/${digest}`)
    expect((await c.req('GET', `/v2/blobs/postput/blobs/${digest}`)).text).toBe('post then put')
  })
  test('chunked PATCH uploads with Content-Range, status, out-of-order 416, then PUT', async () => {
    const loc = (await c.req('POST', '/v2/blobs/chunked/blobs/uploads/')).headers.get('location')!
    const a = await c.req('PATCH', loc, 'hello ', { 'Content-Range': '0-5', 'Content-Type': 'application/octet-stream' })
    expect(a.status).toBe(202)
    expect(a.headers.get('range')).toBe('0-5')
    const outOfOrder = await c.req('PATCH', loc, 'zzz', { 'Content-Range': '10-12' })
    expect(outOfOrder.status).toBe(416)
    expect(errorCode(outOfOrder)).toBe('BLOB_UPLOAD_INVALID')
    const overlap = await c.req('PATCH', loc, 'xx', { 'Content-Range': '3-4' })
    expect(overlap.status).toBe(416)
    const b = await c.req('PATCH', loc, 'world', { 'Content-Range': '6-10' })
    expect(b.headers.get('range')).toBe('0-10')
    const status = await c.req('GET', loc)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-10')
    const streamed = await c.req('PATCH', loc, '!') // streamed PATCH without Content-Range
    expect(streamed.headers.get('range')).toBe('0-11')
    const digest = sha256('hello world!')
    expect((await c.req('PUT', `${loc}?digest=${digest}`)).status).toBe(201)
    expect((await c.req('GET', `/v2/blobs/chunked/blobs/${digest}`)).text).toBe('hello world!')
    expect(errorCode(await c.req('GET', loc))).toBe('BLOB_UPLOAD_UNKNOWN')
  })
  test('a PUT without ?digest= names the missing parameter (DIGEST_INVALID) and keeps the upload', async () => {
    const loc = (await c.req('POST', '/v2/blobs/nodigest/blobs/uploads/')).headers.get('location')!
    await c.req('PATCH', loc, 'abc')
    const r = await c.req('PUT', loc)
    expect(r.status).toBe(400)
    expect(errorCode(r)).toBe('DIGEST_INVALID')
    expect(r.json().errors[0].detail).toEqual({ parameter: 'digest' })
    expect(r.text).not.toContain('null')
    expect((await c.req('GET', loc)).headers.get('range')).toBe('0-2')
  })
  test('a PUT whose digest does not match is DIGEST_INVALID and the upload is kept', async () => {
    const loc = (await c.req('POST', '/v2/blobs/keep/blobs/uploads/')).headers.get('location')!
    await c.req('PATCH', loc, 'abc')
    const r = await c.req('PUT', `${loc}?digest=${sha256('xyz')}`)
    expect(errorCode(r)).toBe('DIGEST_INVALID')
    expect((await c.req('GET', loc)).headers.get('range')).toBe('0-2')
  })
  test('cancel with DELETE; unknown and foreign sessions are BLOB_UPLOAD_UNKNOWN', async () => {
    const loc = (await c.req('POST', '/v2/blobs/cancel/blobs/uploads/')).headers.get('location')!
    expect((await c.req('DELETE', loc)).status).toBe(204)
    expect(errorCode(await c.req('PATCH', loc, 'x'))).toBe('BLOB_UPLOAD_UNKNOWN')
    const other = (await c.req('POST', '/v2/blobs/owner/blobs/uploads/')).headers.get('location')!
    const id = other.split('/').pop()
    expect(errorCode(await c.req('GET', `/v2/blobs/thief/blobs/uploads/${id}`))).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(errorCode(await c.req('GET', '/v2/blobs/thief/blobs/uploads/not-a-uuid'))).toBe('BLOB_UPLOAD_UNKNOWN')
  })
  test('upload sessions survive a restart of the registry', async () => {
    const loc = (await c.req('POST', '/v2/blobs/restart/blobs/uploads/')).headers.get('location')!
    await c.req('PATCH', loc, 'before ')
    await reg.restart()
    await c.req('PATCH', loc, 'after', { 'Content-Range': '7-11' })
    const digest = sha256('before after')
    expect((await c.req('PUT', `${loc}?digest=${digest}`)).status).toBe(201)
  })
  test('cross-repository mount: 201 when readable, fallback to a 202 session when the source lacks it', async () => {
    const digest = await c.pushBlob('mount/src', 'mount me')
    const ok = await c.req('POST', `/v2/mount/dst/blobs/uploads/?mount=${digest}&from=mount/src`)
    expect(ok.status).toBe(201)
    expect(ok.headers.get('location')).toBe(`/v2/mount/dst/blobs/${digest}`)
    expect((await c.req('GET', `/v2/mount/dst/blobs/${digest}`)).text).toBe('mount me')
    const missing = await c.req('POST', `/v2/mount/dst/blobs/uploads/?mount=${sha256('absent')}&from=mount/src`)
    expect(missing.status).toBe(202)
    expect(missing.headers.get('location')).toMatch(/uploads\//)
  })
  test('DELETE unlinks a blob from the repository', async () => {
    const digest = await c.pushBlob('del/blob', 'delete me')
    expect((await c.req('DELETE', `/v2/del/blob/blobs/${digest}`)).status).toBe(202)
    expect(errorCode(await c.req('HEAD', `/v2/del/blob/blobs/${digest}`))).toBeUndefined()
    expect((await c.req('HEAD', `/v2/del/blob/blobs/${digest}`)).status).toBe(404)
    expect(errorCode(await c.req('DELETE', `/v2/del/blob/blobs/${digest}`))).toBe('BLOB_UNKNOWN')
  })
})

describe('manifests', () => {
  test('push by tag, get by tag and digest with the pushed media type; HEAD has headers only', async () => {
    const pushed = await c.pushImage('man/app', 'v1')
    expect(pushed.reply.headers.get('docker-content-digest')).toBe(pushed.digest)
    expect(pushed.reply.headers.get('location')).toBe(`/v2/man/app/manifests/${pushed.digest}`)
    for (const ref of ['v1', pushed.digest]) {
      const r = await c.req('GET', `/v2/man/app/manifests/${ref}`)
      expect(r.status).toBe(200)
      expect(r.text).toBe(pushed.body)
      expect(r.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json')
    }
    const head = await c.req('HEAD', '/v2/man/app/manifests/v1')
    expect(head.text).toBe('')
    expect(head.headers.get('content-length')).toBe(String(pushed.size))
  })
  test('Docker schema 2 manifests and manifest lists keep their media type; OCI index', async () => {
    const img = await c.pushImage('man/docker', 'tmp')
    const config = Buffer.from('{"docker":true}')
    const configDigest = await c.pushBlob('man/docker', config)
    const docker = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
      layers: [],
    })
    expect((await c.req('PUT', '/v2/man/docker/manifests/d1', docker, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' })).status).toBe(201)
    expect((await c.req('GET', '/v2/man/docker/manifests/d1')).headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json')
    for (const type of ['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json']) {
      const list = JSON.stringify({ schemaVersion: 2, mediaType: type, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: img.size }] })
      const tag = type.includes('docker') ? 'list' : 'index'
      expect((await c.req('PUT', `/v2/man/docker/manifests/${tag}`, list, { 'Content-Type': type })).status).toBe(201)
      expect((await c.req('GET', `/v2/man/docker/manifests/${tag}`)).headers.get('content-type')).toBe(type)
    }
  })
  test('MANIFEST_BLOB_UNKNOWN for blobs or child manifests the repository lacks; nothing changes', async () => {
    const head = await reg.store.head()
    const ghost = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('nope'), size: 4 },
      layers: [],
    })
    const r = await c.req('PUT', '/v2/man/ghost/manifests/v1', ghost, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
    expect(r.status).toBe(400)
    expect(errorCode(r)).toBe('MANIFEST_BLOB_UNKNOWN')
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('x'), size: 1 }] })
    expect(errorCode(await c.req('PUT', '/v2/man/ghost/manifests/i', index, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }))).toBe('MANIFEST_BLOB_UNKNOWN')
    expect(await reg.store.head()).toEqual(head)
  })
  test('MANIFEST_INVALID for bad JSON, wrong schema, unsupported type; DIGEST_INVALID when pushed by a wrong digest', async () => {
    const ct = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }
    expect(errorCode(await c.req('PUT', '/v2/man/bad/manifests/v1', '{not json', ct))).toBe('MANIFEST_INVALID')
    expect(errorCode(await c.req('PUT', '/v2/man/bad/manifests/v1', '{"schemaVersion":1}', ct))).toBe('MANIFEST_INVALID')
    expect(errorCode(await c.req('PUT', '/v2/man/bad/manifests/v1', '{"schemaVersion":2,"mediaType":"text/plain"}', { 'Content-Type': 'text/plain' }))).toBe('MANIFEST_INVALID')
    const img = await c.pushImage('man/bad', 'ok')
    expect(errorCode(await c.req('PUT', `/v2/man/bad/manifests/${sha256('other')}`, img.body, ct))).toBe('DIGEST_INVALID')
  })
  test('a manifest whose Content-Type disagrees with its mediaType is MANIFEST_INVALID; parameters and case are ignored', async () => {
    const img = await c.pushImage('man/ct', 'base')
    const head = await reg.store.head()
    for (const type of ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json', 'application/json', 'text/plain', 'application/octet-stream']) {
      const r = await c.req('PUT', '/v2/man/ct/manifests/wrong', img.body, { 'Content-Type': type })
      expect(r.status, type).toBe(400)
      expect(errorCode(r), type).toBe('MANIFEST_INVALID')
      expect(r.json().errors[0].detail).toEqual({ contentType: type, mediaType: 'application/vnd.oci.image.manifest.v1+json' })
    }
    expect(await reg.store.head()).toEqual(head)
    const ok = await c.req('PUT', '/v2/man/ct/manifests/ok', img.body, { 'Content-Type': 'Application/VND.oci.image.manifest.v1+json; charset=utf-8' })
    expect(ok.status).toBe(201)
    // without a mediaType field the Content-Type decides; without either the body's shape does
    const bare = JSON.stringify({ ...JSON.parse(img.body), mediaType: undefined })
    expect((await c.req('PUT', '/v2/man/ct/manifests/bare', bare, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })).status).toBe(201)
    expect(errorCode(await c.req('PUT', '/v2/man/ct/manifests/bare', bare, { 'Content-Type': 'application/json' }))).toBe('MANIFEST_INVALID')
  })
  test('a manifest over the size limit is refused with 413', async () => {
    const r = await c.req('PUT', '/v2/man/big/manifests/v1', 'x'.repeat(65 * 1024), { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
    expect(r.status).toBe(413)
    expect(errorCode(r)).toBe('SIZE_INVALID')
  })
  test('MANIFEST_UNKNOWN for unknown tags and digests', async () => {
    expect(errorCode(await c.req('GET', '/v2/man/app/manifests/nope'))).toBe('MANIFEST_UNKNOWN')
    expect((await c.req('GET', `/v2/man/app/manifests/${sha256('nope')}`)).status).toBe(404)
  })
  test('DELETE by tag removes the tag; DELETE by digest removes the manifest and its tags', async () => {
    const img = await c.pushImage('man/del', 'a')
    await c.req('PUT', '/v2/man/del/manifests/b', img.body, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
    expect((await c.req('DELETE', '/v2/man/del/manifests/a')).status).toBe(202)
    expect((await c.req('GET', '/v2/man/del/manifests/a')).status).toBe(404)
    expect((await c.req('GET', '/v2/man/del/manifests/b')).status).toBe(200)
    expect((await c.req('DELETE', `/v2/man/del/manifests/${img.digest}`)).status).toBe(202)
    expect((await c.req('GET', '/v2/man/del/manifests/b')).status).toBe(404)
    expect((await c.req('GET', `/v2/man/del/manifests/${img.digest}`)).status).toBe(404)
  })
})

describe('listing', () => {
  test('tags list paginates with n/last and Link; unknown repositories are NAME_UNKNOWN', async () => {
    const img = await c.pushImage('list/tags', 't0')
    for (const t of ['t1', 't2', 't3']) await c.req('PUT', `/v2/list/tags/manifests/${t}`, img.body, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
    expect((await c.req('GET', '/v2/list/tags/tags/list')).json()).toEqual({ name: 'list/tags', tags: ['t0', 't1', 't2', 't3'] })
    const page = await c.req('GET', '/v2/list/tags/tags/list?n=2')
    expect(page.json().tags).toEqual(['t0', 't1'])
    expect(page.headers.get('link')).toBe('</v2/list/tags/tags/list?n=2&last=t1>; rel="next"')
    const next = await c.req('GET', '/v2/list/tags/tags/list?n=2&last=t1')
    expect(next.json().tags).toEqual(['t2', 't3'])
    expect(next.headers.get('link')).toBeNull()
    const none = await c.req('GET', '/v2/list/never/tags/list')
    expect(none.status).toBe(404)
    expect(errorCode(none)).toBe('NAME_UNKNOWN')
  })
  test('catalog lists repositories with n/last', async () => {
    const all = (await c.req('GET', '/v2/_catalog')).json().repositories as string[]
    expect(all).toContain('list/tags')
    expect(all).toEqual([...all].sort())
    const page = await c.req('GET', '/v2/_catalog?n=1')
    expect(page.json().repositories).toHaveLength(1)
    expect(page.headers.get('link')).toContain('rel="next"')
  })
  test('referrers: subject, artifactType filter, OCI-Subject header', async () => {
    const subject = await c.pushImage('ref/app', 'v1')
    const sig = await c.pushImage('ref/app', 'sig', ['signature'], {
      artifactType: 'application/vnd.example.sig',
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject.digest, size: subject.size },
      annotations: { who: 'alice' },
    })
    expect(sig.reply.headers.get('oci-subject')).toBe(subject.digest)
    await c.pushImage('ref/app', 'sbom', ['sbom'], {
      artifactType: 'application/vnd.example.sbom',
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject.digest, size: subject.size },
    })
    const all = await c.req('GET', `/v2/ref/app/referrers/${subject.digest}`)
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json')
    expect(all.json().manifests).toHaveLength(2)
    const filtered = await c.req('GET', `/v2/ref/app/referrers/${subject.digest}?artifactType=application/vnd.example.sig`)
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(filtered.json().manifests).toEqual([
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sig.digest, size: sig.size, artifactType: 'application/vnd.example.sig', annotations: { who: 'alice' } },
    ])
    expect((await c.req('GET', `/v2/ref/app/referrers/${sha256('none')}`)).json().manifests).toEqual([])
    expect(errorCode(await c.req('GET', '/v2/ref/app/referrers/sha256:bad'))).toBe('DIGEST_INVALID')
  })
})
