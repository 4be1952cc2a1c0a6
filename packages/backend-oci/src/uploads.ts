import type { RequestContext } from './context'
import { OciError, uploadUnknown } from './errors'
import { assertDigest, assertName, requiredDigest } from './names'
import { Repository } from './repository'
import { contentLength, sendEmpty } from './http'

const uploadUrl = (name: string, id: string) => `/v2/${name}/blobs/uploads/${id}`
const rangeHeader = (size: number) => `0-${Math.max(size - 1, 0)}`

/** POST /v2/<name>/blobs/uploads/ — monolithic (?digest=), cross-repository mount (?mount=&from=), or a new session. */
export async function startUpload(ctx: RequestContext, name: string): Promise<void> {
  const user = await ctx.require(name, 'writer')
  const repo = new Repository(ctx.store, name)
  const mount = ctx.url.searchParams.get('mount')
  const from = ctx.url.searchParams.get('from')
  const digest = ctx.url.searchParams.get('digest')

  if (mount !== null) {
    assertDigest(mount)
    if (from !== null && from !== name && (await mountFrom(ctx, repo, mount, from))) {
      sendEmpty(ctx.res, 201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount })
      return
    }
    // Not mountable (unknown source, no read access, or blob absent): fall back to a normal upload session.
  } else if (digest !== null) {
    assertDigest(digest)
    const size = contentLength(ctx.req)
    const ref = await ctx.store.putBlob(ctx.req, { digest, ...(size !== undefined ? { size } : {}) })
    await repo.stage(ref.digest, ref.size)
    sendEmpty(ctx.res, 201, { Location: `/v2/${name}/blobs/${ref.digest}`, 'Docker-Content-Digest': ref.digest })
    return
  }
  const id = await ctx.sessions.open(name, user)
  sendEmpty(ctx.res, 202, { Location: uploadUrl(name, id), Range: '0-0', 'Docker-Upload-UUID': id })
}

async function mountFrom(ctx: RequestContext, repo: Repository, digest: string, from: string): Promise<boolean> {
  try {
    assertName(from)
  } catch {
    return false
  }
  if (!(await ctx.allowed(from, 'reader'))) return false
  const size = await new Repository(ctx.store, from).blobSize(digest)
  if (size === undefined) return false
  await repo.stage(digest, size)
  return true
}

/** PATCH /v2/<name>/blobs/uploads/<id> — append a chunk (in order, checked with Content-Range when given). */
export async function patchUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  await ctx.require(name, 'writer')
  await ctx.sessions.get(name, id)
  const status = await ctx.store.uploads.status(id)
  if (!status) throw uploadUnknown()
  const offset = parseContentRange(ctx.req.headers['content-range'], status.size, contentLength(ctx.req))
  const after = await ctx.store.uploads.append(id, ctx.req, offset === undefined ? {} : { offset })
  sendEmpty(ctx.res, 202, { Location: uploadUrl(name, id), Range: rangeHeader(after.size), 'Docker-Upload-UUID': id })
}

/** PUT /v2/<name>/blobs/uploads/<id>?digest= — the last (optional) chunk, then verify and publish. */
export async function finishUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  await ctx.require(name, 'writer')
  const session = await ctx.sessions.get(name, id)
  const digest = requiredDigest(ctx.url.searchParams, 'digest')
  const status = await ctx.store.uploads.status(id)
  if (!status) throw uploadUnknown()
  const length = contentLength(ctx.req)
  if (length !== 0 && (length !== undefined || ctx.req.headers['transfer-encoding'] !== undefined)) {
    const offset = parseContentRange(ctx.req.headers['content-range'], status.size, length)
    await ctx.store.uploads.append(id, ctx.req, offset === undefined ? {} : { offset })
  }
  const ref = await ctx.store.uploads.complete(id, { digest })
  await ctx.sessions.forget(id, session)
  await new Repository(ctx.store, name).stage(ref.digest, ref.size)
  sendEmpty(ctx.res, 201, { Location: `/v2/${name}/blobs/${ref.digest}`, 'Docker-Content-Digest': ref.digest })
}

/** GET /v2/<name>/blobs/uploads/<id> — how much has been received. */
export async function uploadStatus(ctx: RequestContext, name: string, id: string): Promise<void> {
  await ctx.require(name, 'writer')
  await ctx.sessions.get(name, id)
  const status = await ctx.store.uploads.status(id)
  if (!status) throw uploadUnknown()
  sendEmpty(ctx.res, 204, { Location: uploadUrl(name, id), Range: rangeHeader(status.size), 'Docker-Upload-UUID': id })
}

/** DELETE /v2/<name>/blobs/uploads/<id> — cancel. */
export async function cancelUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  await ctx.require(name, 'writer')
  const session = await ctx.sessions.get(name, id)
  await ctx.store.uploads.cancel(id)
  await ctx.sessions.forget(id, session)
  sendEmpty(ctx.res, 204)
}

/** `Content-Range: <start>-<end>` must continue where the upload ends and agree with Content-Length. */
function parseContentRange(header: string | undefined, current: number, length: number | undefined): number | undefined {
  if (header === undefined) return undefined
  const m = /^(?:bytes[= ])?(\d{1,15})-(\d{1,15})(?:\/\d+|\/\*)?$/.exec(header.trim())
  if (!m) throw new OciError(416, 'BLOB_UPLOAD_INVALID', 'invalid Content-Range', undefined, { Range: rangeHeader(current) })
  const start = Number(m[1])
  const end = Number(m[2])
  if (end < start || start !== current) {
    throw new OciError(416, 'BLOB_UPLOAD_INVALID', `chunk ${start}-${end} does not continue the upload at ${current}`, undefined, { Range: rangeHeader(current) })
  }
  if (length !== undefined && length !== end - start + 1) {
    throw new OciError(400, 'BLOB_UPLOAD_INVALID', 'Content-Range and Content-Length disagree')
  }
  return start
}
