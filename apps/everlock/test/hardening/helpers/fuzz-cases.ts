// fast-check generators of hostile registry requests. Each case sends its requests, checks the answers,
// and checks that the rejected request left nothing visible (no blob, no tag).
import fc from 'fast-check'
import { createHash, randomBytes } from 'node:crypto'
import { Counter, expectReply } from './expect-reply.js'
import { OCI_MANIFEST, send, sha256, uploadPath, withDigest, type Target } from './oci.js'

export interface Seeded {
  readonly repo: string
  readonly tag: string
  readonly layer: { digest: string; data: Buffer }
  readonly config: { digest: string; size: number }
}

export interface Case {
  run(t: Target, seeded: Seeded, n: Counter): Promise<void>
}

function named<T extends object>(label: string, value: T): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label })
}

async function req(n: Counter, t: Target, method: string, path: string, opts: Parameters<typeof send>[3] = {}) {
  n.requests++
  return send(t, method, path, opts)
}

const NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/
const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
const NAME_CODES = ['NAME_INVALID', 'NAME_UNKNOWN', 'UNSUPPORTED']
const hex = (len: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${len}}$`))

/** Repository names that are invalid both as sent and once percent-decoded. */
export const badName = fc
  .oneof(
    fc.constantFrom('..', 'a/..', '../etc', 'a/../../b', '%2e%2e', 'a/%2e%2e/b', '%2E%2E%2Fetc', 'a%2F..%2Fb', '..%2f..%2fetc%2fpasswd',
      'Upper/Case', '-lead', 'trail-', 'a___b', 'a..b', 'a//b', '.', '%00', 'a%00b', 'a%20b', '%C3%BC', 'a/./b', 'x'.repeat(300), 'a\\b'),
    fc.string({ unit: fc.constantFrom('a', 'b', '0', '.', '/', '_', '-', '%', '2', 'e', 'F', 'A'), minLength: 1, maxLength: 24 }),
  )
  .filter((s) => !NAME.test(s) && !NAME.test(safeDecode(s)) && !s.startsWith('/') && !s.includes('?') && !s.includes('#'))

export const badDigest = fc.oneof(
  fc.constantFrom('sha256:xyz', 'sha256:', 'sha256', ':abc', 'md5:d41d8cd98f00b204e9800998ecf8427e', '..', '%2e%2e%2fetc', 'sha256:..%2f..%2fx', 'sha256:../../x'),
  hex(63).map((h) => `sha256:${h}`),
  hex(65).map((h) => `sha256:${h}`),
  hex(64).map((h) => `sha256:${h.toUpperCase()}`),
  hex(64).map((h) => `sha512:${h}`),
)
export const unknownDigest = fc.oneof(hex(64).map((h) => `sha256:${h}`), hex(128).map((h) => `sha512:${h}`))

/** Any method on any endpoint of a repository whose name is invalid. */
export const nameCase: fc.Arbitrary<Case> = fc
  .tuple(badName, fc.constantFrom('GET /manifests/v1', 'HEAD /manifests/v1', 'PUT /manifests/v1', 'DELETE /manifests/v1', 'GET /tags/list', 'GET /blobs/D', 'HEAD /blobs/D', 'DELETE /blobs/D', 'POST /blobs/uploads/', 'GET /referrers/D'))
  .map(([name, endpoint]) => {
    const [method, suffix] = endpoint.split(' ') as [string, string]
    const path = `/v2/${name}${suffix.replace('D', sha256(name))}`
    return named(`${method} ${path}`, {
      async run(t: Target, _s: Seeded, n: Counter) {
        const body = method === 'PUT' ? JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }) : undefined
        const r = await req(n, t, method, path, { body, headers: method === 'PUT' ? { 'content-type': OCI_MANIFEST } : {} })
        expectReply(`${method} ${path}`, r, [400, 404, 405], NAME_CODES, method)
      },
    })
  })

/** Blob and manifest reads, deletes and referrers with malformed or unknown digests. */
export const digestCase: fc.Arbitrary<Case> = fc
  .tuple(fc.oneof(badDigest, unknownDigest), fc.constantFrom('GET blobs', 'HEAD blobs', 'DELETE blobs', 'GET manifests', 'HEAD manifests', 'DELETE manifests', 'GET referrers'))
  .map(([digest, endpoint]) => {
    const [method, kind] = endpoint.split(' ') as [string, string]
    return named(`${method} ${kind}/${digest}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const path = `/v2/${s.repo}/${kind}/${digest}`
        const r = await req(n, t, method, path, { headers: { accept: OCI_MANIFEST } })
        const codes = ['DIGEST_INVALID', 'BLOB_UNKNOWN', 'MANIFEST_UNKNOWN', 'TAG_INVALID', 'MANIFEST_INVALID', 'UNSUPPORTED', 'NAME_INVALID', 'NAME_UNKNOWN']
        // referrers of a subject the registry does not hold are an empty index (spec), not an error
        expectReply(`${method} ${path}`, r, kind === 'referrers' ? [200, 400, 404] : [400, 404, 405], codes, method)
      },
    })
  })

const WRONG_DIGEST = ['other-sha256', 'other-sha512', 'malformed', 'truncated-data'] as const

/** Uploads whose closing digest does not match the bytes; the blob must stay invisible. */
export const uploadDigestCase: fc.Arbitrary<Case> = fc
  .tuple(fc.integer({ min: 0, max: 65536 }), fc.constantFrom(...WRONG_DIGEST), fc.boolean())
  .map(([size, wrong, monolithicPost]) =>
    named(`upload ${size} bytes, ${wrong}, ${monolithicPost ? 'POST ?digest' : 'POST+PUT'}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const data = randomBytes(size)
        const other = randomBytes(16)
        const digest = {
          'other-sha256': sha256(other),
          'other-sha512': `sha512:${createHash('sha512').update(other).digest('hex')}`,
          malformed: 'sha256:nothex',
          'truncated-data': sha256(data.subarray(0, Math.max(0, size - 1))) + (size === 0 ? '0' : ''),
        }[wrong]
        const codes = ['DIGEST_INVALID', 'BLOB_UPLOAD_INVALID', 'UNSUPPORTED', 'SIZE_INVALID']
        const headers = { 'content-type': 'application/octet-stream' }
        if (monolithicPost) {
          const r = await req(n, t, 'POST', `/v2/${s.repo}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, { headers, body: data })
          if (r.status === 202) await req(n, t, 'DELETE', uploadPath(r)) // monolithic POST is optional in the spec
          else expectReply(`monolithic POST ${digest}`, r, [400], codes)
        } else {
          const start = await req(n, t, 'POST', `/v2/${s.repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
          expectReply('POST upload', start, [202])
          const r = await req(n, t, 'PUT', withDigest(uploadPath(start), digest), { headers, body: data })
          expectReply(`PUT ${digest}`, r, [400], codes)
          await req(n, t, 'DELETE', uploadPath(start))
        }
        const head = await req(n, t, 'HEAD', `/v2/${s.repo}/blobs/${sha256(data)}`)
        if (size > 0 && head.status !== 404) throw new Error(`rejected upload's blob is visible: HEAD ${head.status}`)
      },
    }),
  )

const BAD_RANGES = ['gap', 'overlap', 'restart-beyond', 'malformed', 'reversed'] as const

/** Chunked uploads with a chunk out of order, overlapping, or with a malformed Content-Range. */
export const chunkCase: fc.Arbitrary<Case> = fc
  .tuple(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 8192 }), fc.constantFrom(...BAD_RANGES))
  .map(([first, second, bad]) =>
    named(`chunks ${first}+${second}, ${bad}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const a = randomBytes(first)
        const b = randomBytes(second)
        const start = await req(n, t, 'POST', `/v2/${s.repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
        expectReply('POST upload', start, [202])
        const one = await req(n, t, 'PATCH', uploadPath(start), { headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${first - 1}` }, body: a })
        expectReply('PATCH first chunk', one, [202])
        const range = {
          gap: `${first + 1}-${first + second}`,
          overlap: `${first - 1}-${first + second - 2}`,
          'restart-beyond': `${first + 100}-${first + 99 + second}`,
          malformed: 'bytes=abc',
          reversed: `${first + second}-${first}`,
        }[bad]
        const two = await req(n, t, 'PATCH', uploadPath(one), { headers: { 'content-type': 'application/octet-stream', 'content-range': range }, body: b })
        expectReply(`PATCH ${range}`, two, [400, 416], ['BLOB_UPLOAD_INVALID', 'RANGE_INVALID', 'SIZE_INVALID'])
        const whole = Buffer.concat([a, b])
        const close = await req(n, t, 'PUT', withDigest(uploadPath(one), sha256(whole)), { headers: { 'content-length': 0 } })
        expectReply('closing PUT', close, [400, 404, 416], ['DIGEST_INVALID', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'SIZE_INVALID'])
        await req(n, t, 'DELETE', uploadPath(one))
        const head = await req(n, t, 'HEAD', `/v2/${s.repo}/blobs/${sha256(whole)}`)
        if (head.status !== 404) throw new Error(`rejected chunked upload's blob is visible: HEAD ${head.status}`)
      },
    }),
  )

/** PATCH/PUT/GET/DELETE on upload sessions that do not exist (or whose ids try to escape). */
export const unknownUploadCase: fc.Arbitrary<Case> = fc
  .tuple(fc.oneof(fc.uuid(), fc.constantFrom('..', '..%2f..%2fetc', '%2e%2e', 'x'.repeat(200))), fc.constantFrom('PATCH', 'PUT', 'GET', 'DELETE'))
  .map(([id, method]) =>
    named(`${method} upload ${id}`, {
      async run(t: Target, s: Seeded, n: Counter) {
        const path = `/v2/${s.repo}/blobs/uploads/${id}${method === 'PUT' ? `?digest=${sha256('x')}` : ''}`
        const r = await req(n, t, method, path, { body: method === 'PATCH' || method === 'PUT' ? 'x' : undefined })
        expectReply(`${method} ${path}`, r, [400, 404], ['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'NAME_INVALID', 'NAME_UNKNOWN', 'DIGEST_INVALID'], method)
      },
    }),
  )
