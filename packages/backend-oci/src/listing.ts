import type { RequestContext } from './context'
import { nameUnknown } from './errors'
import { assertDigest } from './names'
import { Repository } from './repository'
import { CATALOG_PREFIX, referrersPrefix } from './layout'
import { pageSize, sendJson } from './http'
import { OCI_INDEX } from './manifest-parse'

const DEFAULT_PAGE = 1000
const MAX_PAGE = 10_000

const nextLink = (path: string, n: number, last: string) => `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`

/** GET /v2/<name>/tags/list?n=&last= */
export async function listTags(ctx: RequestContext, name: string): Promise<void> {
  await ctx.require(name, 'reader')
  const repo = new Repository(ctx.store, name)
  if (!(await repo.exists())) throw nameUnknown(name)
  const n = pageSize(ctx.url.searchParams.get('n'), DEFAULT_PAGE, MAX_PAGE)
  const last = ctx.url.searchParams.get('last') ?? undefined
  const tags: string[] = []
  let more = false
  if (n > 0) {
    for await (const tag of repo.tags(last)) {
      if (tags.length === n) {
        more = true
        break
      }
      tags.push(tag)
    }
  }
  const headers: Record<string, string> = more ? { Link: nextLink(`/v2/${name}/tags/list`, n, tags.at(-1)!) } : {}
  sendJson(ctx.res, 200, { name, tags }, headers)
}

/** GET /v2/_catalog?n=&last= — only repositories the caller may read. */
export async function listCatalog(ctx: RequestContext): Promise<void> {
  const everything = await ctx.allowed('', 'reader')
  if (!everything) await ctx.require('', 'reader').catch((err: { status?: number }) => {
    if (err.status === 401) throw err // unauthenticated: challenge; authenticated: filter per repository
  })
  const n = pageSize(ctx.url.searchParams.get('n'), DEFAULT_PAGE, MAX_PAGE)
  const last = ctx.url.searchParams.get('last')
  const repositories: string[] = []
  let more = false
  if (n > 0) {
    for await (const [path] of ctx.store.list(CATALOG_PREFIX, last ? { after: CATALOG_PREFIX + last } : {})) {
      const name = path.slice(CATALOG_PREFIX.length)
      if (!everything && !(await ctx.allowed(name, 'reader'))) continue
      if (repositories.length === n) {
        more = true
        break
      }
      repositories.push(name)
    }
  }
  const headers: Record<string, string> = more ? { Link: nextLink('/v2/_catalog', n, repositories.at(-1)!) } : {}
  sendJson(ctx.res, 200, { repositories }, headers)
}

/** GET /v2/<name>/referrers/<digest>?artifactType= — an image index of the manifests whose subject is digest. */
export async function listReferrers(ctx: RequestContext, name: string, digest: string): Promise<void> {
  await ctx.require(name, 'reader')
  assertDigest(digest)
  const filter = ctx.url.searchParams.get('artifactType')
  const manifests: Array<Record<string, unknown>> = []
  const prefix = referrersPrefix(name, digest)
  for await (const [, entry] of ctx.store.list(prefix)) {
    const artifactType = entry.meta?.artifactType
    if (filter !== null && artifactType !== filter) continue
    manifests.push({
      mediaType: entry.meta?.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...(artifactType ? { artifactType } : {}),
      ...(entry.meta?.annotations ? { annotations: JSON.parse(entry.meta.annotations) as unknown } : {}),
    })
  }
  const headers: Record<string, string> = { 'Content-Type': OCI_INDEX }
  if (filter !== null) headers['OCI-Filters-Applied'] = 'artifactType'
  sendJson(ctx.res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, headers)
}
