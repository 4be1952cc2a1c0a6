// What a client can see of a registry, to compare before and after rejected requests.
import { OCI_MANIFEST, send, type Target } from './oci.js'

export interface Snapshot {
  readonly catalog: string
  readonly tags: Record<string, string>
  readonly manifests: Record<string, string | undefined>
}

export async function snapshot(t: Target): Promise<Snapshot> {
  const catalog = await send(t, 'GET', '/v2/_catalog?n=10000')
  if (catalog.status !== 200) throw new Error(`catalog: ${catalog.status}`)
  const repos = (JSON.parse(catalog.body.toString('utf8')) as { repositories: string[] }).repositories ?? []
  const tags: Record<string, string> = {}
  const manifests: Record<string, string | undefined> = {}
  for (const repo of repos) {
    const list = await send(t, 'GET', `/v2/${repo}/tags/list?n=10000`)
    tags[repo] = list.body.toString('utf8')
    for (const tag of (JSON.parse(tags[repo]) as { tags: string[] | null }).tags ?? []) {
      const m = await send(t, 'HEAD', `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } })
      manifests[`${repo}:${tag}`] = m.headers['docker-content-digest'] as string | undefined
    }
  }
  return { catalog: catalog.body.toString('utf8'), tags, manifests }
}
