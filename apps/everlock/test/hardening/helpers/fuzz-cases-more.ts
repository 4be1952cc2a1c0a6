// More hostile-request generators: manifests, Range, pagination, and any method on any path.
import fc from 'fast-check'
import { Counter, SPEC_CODES, expectReply } from './expect-reply.js'
import { errorCodes } from './http.js'
import { OCI_MANIFEST, send, sha256, type Target } from './oci.js'
import type { Case, Seeded } from './fuzz-cases.js'

function named<T extends object>(label: string, value: T): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label })
}

async function req(n: Counter, t: Target, method: string, path: string, opts: Parameters<typeof send>[3] = {}) {
  n.requests++
  return send(t, method, path, opts)
}

let tagCounter = 0
const MANIFEST_CODES = ['MANIFEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN', 'DIGEST_INVALID', 'SIZE_INVALID', 'UNSUPPORTED', 'TAG_INVALID', 'NAME_INVALID', 'NAME_UNKNOWN']
const KINDS = ['invalid-json', 'random-json', 'unknown-blobs', 'media-type-mismatch', 'digest-mismatch', 'bad-tag', 'no-config'] as const

function manifestBody(kind: (typeof KINDS)[number], s: Seeded, junk: unknown, text: string): { body: Buffer; ref?: string } {
  const valid = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...s.config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: s.layer.digest, size: s.layer.data.length }] }
  switch (kind) {
    case 'invalid-json':
      return { body: Buffer.from(`{"schemaVersion":2,${text}`) }
    case 'random-json':
      return { body: Buffer.from(JSON.stringify(junk)) }
    case 'unknown-blobs':
      return { body: Buffer.from(JSON.stringify({ ...valid, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(text + Math.random()), size: 10 }] })) }
    case 'media-type-mismatch':
      return { body: Buffer.from(JSON.stringify({ ...valid, mediaType: 'application/vnd.oci.image.index.v1+json' })) }
    case 'digest-mismatch':
      return { body: Buffer.from(JSON.stringify(valid)), ref: sha256(text + 'x') }
    case 'bad-tag':
      return { body: Buffer.from(JSON.stringify(valid)), ref: ['-x', '.x', 'a'.repeat(129), '..', '%2e%2e', 'a%2Fb', 'a%20b'][text.length % 7] }
    case 'no-config':
      return { body: Buffer.from(JSON.stringify({ ...valid, config: undefined })) }
  }
}

/** Manifest PUTs that must be refused; afterwards the tag must not exist. */
export const manifestCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...KINDS), fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 40 }))
  .filter(([kind, junk]) => kind !== 'random-json' || typeof junk !== 'object' || junk === null || !('schemaVersion' in junk))
  .map(([kind, junk, text]) =>
    named(`PUT manifest ${kind} ${text}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const tag = `fz-${process.pid}-${tagCounter++}`
        const { body, ref } = manifestBody(kind, s, junk, text)
        const path = `/v2/${s.repo}/manifests/${ref ?? tag}`
        const r = await req(n, t, 'PUT', path, { headers: { 'content-type': OCI_MANIFEST }, body })
        expectReply(`PUT ${path} (${kind})`, r, kind === 'bad-tag' ? [400, 404] : [400], MANIFEST_CODES)
        const after = await req(n, t, 'GET', `/v2/${s.repo}/manifests/${ref && kind !== 'bad-tag' ? ref : tag}`, { headers: { accept: OCI_MANIFEST } })
        expectReply('GET after refused PUT', after, [400, 404], ['MANIFEST_UNKNOWN', 'TAG_INVALID', 'MANIFEST_INVALID', 'NAME_UNKNOWN'])
      },
    }),
  )

/** A manifest over the 4 MiB limit. */
export const oversizedManifestCase: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 1 << 20 }).map((extra) =>
  named(`PUT manifest of 4 MiB + ${extra}`, {
    async run(t: Target, s: Seeded, n: Counter) {
      const pad = 'a'.repeat(4 * 1024 * 1024 + extra)
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, annotations: { pad } }))
      const tag = `big-${process.pid}-${tagCounter++}`
      const r = await req(n, t, 'PUT', `/v2/${s.repo}/manifests/${tag}`, { headers: { 'content-type': OCI_MANIFEST }, body }).catch((err: Error) => ({ status: 413, headers: {}, body: Buffer.from(JSON.stringify({ errors: [{ code: 'SIZE_INVALID', message: err.message }] })) }))
      expectReply(`PUT ${body.length}-byte manifest`, r, [400, 413], ['MANIFEST_INVALID', 'SIZE_INVALID'])
      const after = await req(n, t, 'GET', `/v2/${s.repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } })
      expectReply('GET after refused PUT', after, [404], ['MANIFEST_UNKNOWN'])
    },
  }),
)

/** Blob GETs with bad, odd and valid Range values: 200 whole, 206 exact slice, or 416. */
export const rangeCase: fc.Arbitrary<Case> = fc
  .oneof(
    fc.constantFrom('bytes=abc', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=0-1,3-4', 'bytes=--1', 'bytes=1-0', 'bytes=999999999-', 'bytes=0-99999999999999999999', 'bytes=-0', '=0-1', 'bytes 0-1'),
    fc.tuple(fc.integer({ min: -5, max: 9000 }), fc.integer({ min: -5, max: 9000 })).map(([a, b]) => `bytes=${a}-${b}`),
    fc.integer({ min: 0, max: 9000 }).map((a) => `bytes=${a}-`),
    fc.integer({ min: 0, max: 9000 }).map((a) => `bytes=-${a}`),
  )
  .map((range) =>
    named(`GET blob Range: ${range}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const r = await req(n, t, 'GET', `/v2/${s.repo}/blobs/${s.layer.digest}`, { headers: { range } })
        expectReply(`GET Range ${range}`, r, [200, 206, 416], ['RANGE_INVALID', 'BLOB_UNKNOWN', 'SIZE_INVALID'])
        const data = s.layer.data
        if (r.status === 200 && !r.body.equals(data)) throw new Error(`Range ${range}: 200 with wrong body`)
        if (r.status === 206 && String(r.headers['content-type']).startsWith('multipart/byteranges')) return
        if (r.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(r.headers['content-range']))
          if (!m) throw new Error(`Range ${range}: 206 with Content-Range ${r.headers['content-range']}`)
          const [from, to, total] = [Number(m[1]), Number(m[2]), Number(m[3])]
          if (total !== data.length || !r.body.equals(data.subarray(from, to + 1))) throw new Error(`Range ${range}: 206 body does not match ${m[0]}`)
        }
      },
    }),
  )

/** Tag list and catalog pagination with junk `n` and `last`. */
export const paginationCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom('tags', 'catalog'), fc.oneof(fc.constantFrom('-1', 'abc', '1e3', '99999999999999999999', '', '0', '1.5', '%00'), fc.integer().map(String)), fc.string({ maxLength: 20 }))
  .map(([what, nValue, last]) =>
    named(`${what} n=${nValue} last=${last}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const base = what === 'tags' ? `/v2/${s.repo}/tags/list` : '/v2/_catalog'
        const path = `${base}?n=${nValue}&last=${encodeURIComponent(last)}`
        const r = await req(n, t, 'GET', path)
        expectReply(`GET ${path}`, r, [200, 400], ['PAGINATION_NUMBER_INVALID', 'UNSUPPORTED', 'TAG_INVALID', 'NAME_INVALID', 'SIZE_INVALID'])
        if (r.status === 200) JSON.parse(r.body.toString('utf8'))
      },
    }),
  )

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE', 'MKCOL', 'LOCK', 'PURGE']

/** Any method on any path under /v2/ (or elsewhere); only reads can succeed, nothing may 5xx. */
export const randomCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...METHODS), fc.webPath(), fc.option(fc.uint8Array({ maxLength: 512 })), fc.boolean())
  .map(([method, path, body, underV2]) => {
    const full = underV2 ? `/v2${path.startsWith('/') ? '' : '/'}${path}` : path.startsWith('/') ? path : `/${path}`
    return named(`${method} ${full}`, {
      async run(t: Target, _s: Seeded, n: Counter) {
        const r = await req(n, t, method, full, body ? { body: Buffer.from(body) } : {})
        if (r.status >= 500) throw new Error(`${method} ${full}: ${r.status}`)
        // whether a write to a random path changed anything is checked by the caller's before/after snapshot
        const codes = errorCodes(r)
        const unexpected = codes.filter((c) => !(SPEC_CODES as readonly string[]).includes(c))
        if (unexpected.length > 0) throw new Error(`${method} ${full}: ${r.status} with codes ${unexpected.join(',')}`)
      },
    })
  })

