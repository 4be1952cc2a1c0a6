// Every registry endpoint and method, each with the role it needs, how to prepare a fresh resource for it,
// and (for writes) how to check that a refused request changed nothing.
import { randomBytes } from 'node:crypto'
import { OCI_MANIFEST, pushBlob, send, sha256, uploadPath, withDigest, type Target, type TestImage } from './oci.js'
import type { Reply } from './http.js'

export type Role = 'reader' | 'writer' | 'owner'
/**
 * `login`: any caller whose credentials verify (the registry ping: anon is always challenged).
 * `list`: any verified caller, and anon where anon may read; the answer lists only readable repositories.
 */
export type Need = Role | 'login' | 'list'

export interface Ctx {
  readonly repo: string
  readonly image: TestImage
  readonly admin: Target
  /** Who sends the request; for steps that need a session of their own (uploads), they make it. */
  readonly actor: Target
  readonly allowed: boolean
  /** The actor may start uploads itself (writer or more); otherwise the admin prepares them. */
  readonly canWrite: boolean
}

export interface Endpoint {
  readonly name: string
  /** The least role that may do it; two roles where either reading of the rules is defensible. */
  readonly need: Need | readonly Role[]
  readonly ok: readonly number[]
  request(ctx: Ctx): Promise<Reply>
  /** For listings: whether the answer shows the test repository (it must exactly when the caller may read). */
  visible?(ctx: Ctx, reply: Reply): Promise<boolean>
  /** After a refusal: undefined if nothing changed, else what did. */
  unchanged?(ctx: Ctx, state: unknown): Promise<string | undefined>
}

let counter = 0
const unique = () => `${process.pid}-${counter++}`

async function startUpload(ctx: Ctx): Promise<string> {
  const r = await send(ctx.canWrite ? ctx.actor : ctx.admin, 'POST', `/v2/${ctx.repo}/blobs/uploads/`, { headers: { 'content-length': 0 } })
  if (r.status !== 202) throw new Error(`prepare upload: ${r.status} ${r.body}`)
  return uploadPath(r)
}

function manifestWithNote(image: TestImage, note: string): Buffer {
  const json = JSON.parse(image.manifest.toString('utf8')) as Record<string, unknown>
  return Buffer.from(JSON.stringify({ ...json, annotations: { note } }))
}

async function status(t: Target, method: string, path: string): Promise<number> {
  return (await send(t, method, path, { headers: { accept: OCI_MANIFEST } })).status
}

const layer = (ctx: Ctx) => ctx.image.blobs[1]!.digest

export const ENDPOINTS: readonly Endpoint[] = [
  { name: 'GET /v2/', need: 'login', ok: [200], request: (c) => send(c.actor, 'GET', '/v2/') },
  { name: 'GET manifest by tag', need: 'reader', ok: [200], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/manifests/base`, { headers: { accept: OCI_MANIFEST } }) },
  { name: 'HEAD manifest by tag', need: 'reader', ok: [200], request: (c) => send(c.actor, 'HEAD', `/v2/${c.repo}/manifests/base`, { headers: { accept: OCI_MANIFEST } }) },
  { name: 'GET manifest by digest', need: 'reader', ok: [200], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/manifests/${c.image.digest}`, { headers: { accept: OCI_MANIFEST } }) },
  { name: 'GET blob', need: 'reader', ok: [200], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/blobs/${layer(c)}`) },
  { name: 'GET blob with Range', need: 'reader', ok: [206], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/blobs/${layer(c)}`, { headers: { range: 'bytes=0-9' } }) },
  { name: 'HEAD blob', need: 'reader', ok: [200], request: (c) => send(c.actor, 'HEAD', `/v2/${c.repo}/blobs/${layer(c)}`) },
  { name: 'GET tags/list', need: 'reader', ok: [200], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/tags/list`) },
  {
    name: 'GET _catalog',
    need: 'list',
    ok: [200],
    request: (c) => send(c.actor, 'GET', '/v2/_catalog'),
    async visible(c, reply) {
      const repos = (JSON.parse(reply.body.toString('utf8')) as { repositories: string[] }).repositories
      return repos.includes(c.repo)
    },
  },
  { name: 'GET referrers', need: 'reader', ok: [200], request: (c) => send(c.actor, 'GET', `/v2/${c.repo}/referrers/${c.image.digest}`) },
  {
    name: 'POST upload',
    need: 'writer',
    ok: [202],
    request: (c) => send(c.actor, 'POST', `/v2/${c.repo}/blobs/uploads/`, { headers: { 'content-length': 0 } }),
  },
  {
    name: 'POST monolithic upload',
    need: 'writer',
    ok: [201, 202],
    async request(c) {
      const data = randomBytes(64)
      return send(c.actor, 'POST', `/v2/${c.repo}/blobs/uploads/?digest=${sha256(data)}`, { headers: { 'content-type': 'application/octet-stream' }, body: data })
    },
  },
  {
    name: 'PATCH upload chunk',
    need: 'writer',
    ok: [202],
    request: async (c) => send(c.actor, 'PATCH', await startUpload(c), { headers: { 'content-type': 'application/octet-stream', 'content-range': '0-3' }, body: 'abcd' }),
  },
  {
    name: 'PUT upload (complete)',
    need: 'writer',
    ok: [201],
    async request(c) {
      const data = randomBytes(32)
      return send(c.actor, 'PUT', withDigest(await startUpload(c), sha256(data)), { headers: { 'content-type': 'application/octet-stream' }, body: data })
    },
  },
  { name: 'GET upload status', need: ['reader', 'writer'], ok: [204], request: async (c) => send(c.actor, 'GET', await startUpload(c)) },
  { name: 'DELETE upload (cancel)', need: ['writer', 'owner'], ok: [204], request: async (c) => send(c.actor, 'DELETE', await startUpload(c)) },
  {
    name: 'POST cross-repository mount',
    need: 'writer',
    ok: [201],
    request: (c) => send(c.actor, 'POST', `/v2/${c.repo}-m${unique()}/blobs/uploads/?mount=${layer(c)}&from=${c.repo}`, { headers: { 'content-length': 0 } }),
  },
  {
    name: 'PUT manifest',
    need: 'writer',
    ok: [201],
    async request(c) {
      const tag = `t-${unique()}`
      ;(c as { tag?: string }).tag = tag
      return send(c.actor, 'PUT', `/v2/${c.repo}/manifests/${tag}`, { headers: { 'content-type': OCI_MANIFEST }, body: c.image.manifest })
    },
    async unchanged(c) {
      const s = await status(c.admin, 'GET', `/v2/${c.repo}/manifests/${(c as { tag?: string }).tag}`)
      return s === 404 ? undefined : `tag exists after a refused PUT (${s})`
    },
  },
  {
    name: 'DELETE manifest by digest',
    need: 'owner',
    ok: [202],
    async request(c) {
      const body = manifestWithNote(c.image, unique())
      const put = await send(c.admin, 'PUT', `/v2/${c.repo}/manifests/${sha256(body)}`, { headers: { 'content-type': OCI_MANIFEST }, body })
      if (put.status !== 201) throw new Error(`prepare manifest: ${put.status}`)
      ;(c as { ref?: string }).ref = sha256(body)
      return send(c.actor, 'DELETE', `/v2/${c.repo}/manifests/${sha256(body)}`)
    },
    async unchanged(c) {
      const s = await status(c.admin, 'HEAD', `/v2/${c.repo}/manifests/${(c as { ref?: string }).ref}`)
      return s === 200 ? undefined : `manifest gone after a refused DELETE (${s})`
    },
  },
  {
    name: 'DELETE tag',
    need: 'owner',
    ok: [202],
    async request(c) {
      const tag = `d-${unique()}`
      const put = await send(c.admin, 'PUT', `/v2/${c.repo}/manifests/${tag}`, { headers: { 'content-type': OCI_MANIFEST }, body: c.image.manifest })
      if (put.status !== 201) throw new Error(`prepare tag: ${put.status}`)
      ;(c as { ref?: string }).ref = tag
      return send(c.actor, 'DELETE', `/v2/${c.repo}/manifests/${tag}`)
    },
    async unchanged(c) {
      const s = await status(c.admin, 'HEAD', `/v2/${c.repo}/manifests/${(c as { ref?: string }).ref}`)
      return s === 200 ? undefined : `tag gone after a refused DELETE (${s})`
    },
  },
  {
    name: 'DELETE blob',
    need: 'owner',
    ok: [202],
    async request(c) {
      const digest = await pushBlob(c.admin, c.repo, randomBytes(48))
      ;(c as { ref?: string }).ref = digest
      return send(c.actor, 'DELETE', `/v2/${c.repo}/blobs/${digest}`)
    },
    async unchanged(c) {
      const s = await status(c.admin, 'HEAD', `/v2/${c.repo}/blobs/${(c as { ref?: string }).ref}`)
      return s === 200 ? undefined : `blob gone after a refused DELETE (${s})`
    },
  },
]
