import type { Change } from '@everlock/versioned-storage'
import { Readable } from 'node:stream'
import type { RequestContext } from './context'
import { digestInvalid, manifestUnknown, OciError } from './errors'
import { assertDigest, isSha256, isTag, looksLikeDigest } from './names'
import { Repository } from './repository'
import { artifactTypeOf, parseManifest, type ParsedManifest } from './manifest-parse'
import { blobLink, catalogPath, manifestPath, referrerPath, tagPath } from './layout'
import { readLimited, sendEmpty, sendNotModified } from './http'
import { isNotModified } from './conditional'
import { createHash } from 'node:crypto'

/** Resolve a tag or digest reference to a manifest digest and its stored entry. */
async function resolve(repo: Repository, reference: string) {
  let digest: string | undefined
  if (isTag(reference)) digest = await repo.tag(reference)
  else if (looksLikeDigest(reference)) {
    if (!isSha256(reference)) assertDigest(reference)
    digest = reference
  } else throw new OciError(400, 'MANIFEST_INVALID', 'invalid reference', { reference: reference.slice(0, 200) })
  const entry = digest ? await repo.manifest(digest) : undefined
  if (!digest || !entry) throw manifestUnknown(reference)
  return { digest, entry }
}

/** HEAD/GET /v2/<name>/manifests/<reference> — returned with the media type it was pushed with. */
export async function getManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  await ctx.require(name, 'reader')
  const { digest, entry } = await resolve(new Repository(ctx.store, name), reference)
  const headers = {
    'Content-Type': entry.meta?.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    'Content-Length': entry.size,
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  }
  if (isNotModified(ctx.req.headers, headers.ETag)) {
    sendNotModified(ctx.res, headers)
    return
  }
  if (ctx.req.method === 'HEAD') {
    sendEmpty(ctx.res, 200, headers)
    return
  }
  let body = ctx.manifests.get(digest)
  if (!body) {
    const chunks: Buffer[] = []
    for await (const chunk of await ctx.store.getBlob(digest)) chunks.push(chunk as Buffer)
    body = Buffer.concat(chunks)
    ctx.manifests.set(digest, body)
  }
  ctx.res.writeHead(200, headers)
  ctx.res.end(body)
}

/** PUT /v2/<name>/manifests/<reference> — one store commit: manifest, tag, and the blob links it needs. */
export async function putManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  const user = await ctx.require(name, 'writer')
  const tag = isTag(reference) ? reference : undefined
  if (!tag) {
    if (!looksLikeDigest(reference)) throw new OciError(400, 'MANIFEST_INVALID', 'invalid reference', { reference: reference.slice(0, 200) })
    assertDigest(reference)
  }
  const body = await readLimited(ctx.req, ctx.maxManifestBytes)
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
  if (!tag && reference !== digest) throw digestInvalid(`manifest hashes to ${digest}, not ${reference}`)
  const parsed = parseManifest(body, ctx.req.headers['content-type'])
  const repo = new Repository(ctx.store, name)
  const staged = await checkReferences(repo, parsed)

  const blob = await ctx.store.putBlob(Readable.from([body]), { digest, size: body.length })
  const meta: Record<string, string> = { mediaType: parsed.mediaType }
  const artifactType = artifactTypeOf(parsed)
  if (artifactType) meta.artifactType = artifactType
  if (parsed.subject) meta.subject = parsed.subject.digest
  const changes: Change[] = [{ op: 'put', path: manifestPath(name, digest), digest, size: blob.size, meta }]
  for (const d of staged) changes.push({ op: 'put', path: blobLink(name, d.digest), digest: d.digest, size: d.size })
  if (tag) changes.push({ op: 'put', path: tagPath(name, tag), digest, size: blob.size, meta: { manifest: digest } })
  if (parsed.subject) {
    const referrerMeta: Record<string, string> = { mediaType: parsed.mediaType }
    if (artifactType) referrerMeta.artifactType = artifactType
    if (parsed.annotations) referrerMeta.annotations = JSON.stringify(parsed.annotations)
    changes.push({ op: 'put', path: referrerPath(name, parsed.subject.digest, digest), digest, size: blob.size, meta: referrerMeta })
  }
  if (!(await ctx.store.get(catalogPath(name)))) changes.push({ op: 'put', path: catalogPath(name), digest, size: blob.size })
  await ctx.store.commit(changes, { author: user, message: `push ${name}${tag ? `:${tag}` : ''}@${digest}` })
  await repo.unstage(staged.map((d) => d.digest))
  ctx.manifests.set(digest, body)

  const headers: Record<string, string> = { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest }
  if (parsed.subject) headers['OCI-Subject'] = parsed.subject.digest
  sendEmpty(ctx.res, 201, headers)
}

/** Every blob and child manifest must already be in the repository; returns staged blobs to commit. */
async function checkReferences(repo: Repository, parsed: ParsedManifest): Promise<Array<{ digest: string; size: number }>> {
  const staged: Array<{ digest: string; size: number }> = []
  const seen = new Set<string>()
  for (const d of parsed.blobs) {
    if (seen.has(d.digest)) continue
    seen.add(d.digest)
    const size = await repo.blobSize(d.digest)
    if (size === undefined) throw new OciError(400, 'MANIFEST_BLOB_UNKNOWN', 'manifest references a blob unknown to the repository', { digest: d.digest })
    if (size !== d.size) throw new OciError(400, 'MANIFEST_INVALID', 'descriptor size does not match the blob', { digest: d.digest })
    if (!(await repo.isCommittedLink(d.digest))) staged.push({ digest: d.digest, size })
  }
  for (const d of parsed.manifests) {
    if (!(await repo.manifest(d.digest))) {
      throw new OciError(400, 'MANIFEST_BLOB_UNKNOWN', 'index references a manifest unknown to the repository', { digest: d.digest })
    }
  }
  return staged
}

/** DELETE /v2/<name>/manifests/<digest|tag> — a digest removes the manifest and its tags; a tag removes the tag. */
export async function deleteManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  const user = await ctx.require(name, 'owner')
  const repo = new Repository(ctx.store, name)
  if (isTag(reference)) {
    if (!(await repo.tag(reference))) throw manifestUnknown(reference)
    await ctx.store.commit([{ op: 'delete', path: tagPath(name, reference) }], { author: user, message: `delete tag ${name}:${reference}` })
    sendEmpty(ctx.res, 202)
    return
  }
  const { digest, entry } = await resolve(repo, reference)
  const changes: Change[] = [{ op: 'delete', path: manifestPath(name, digest) }]
  for (const tag of await repo.tagsOf(digest)) changes.push({ op: 'delete', path: tagPath(name, tag) })
  if (entry.meta?.subject) changes.push({ op: 'delete', path: referrerPath(name, entry.meta.subject, digest) })
  await ctx.store.commit(changes, { author: user, message: `delete manifest ${name}@${digest}` })
  sendEmpty(ctx.res, 202)
}
