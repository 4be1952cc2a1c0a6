import type { LibraryCore } from './core.js'
import type { AssetRecord } from './record.js'

/** A record as the API answers it: with live job states and the URLs of its files. */
export async function present(core: LibraryCore, record: AssetRecord): Promise<Record<string, unknown>> {
  const base = `/api/assets/${record.id}`
  const names = new Set(record.derivatives.map((d) => d.name))
  return {
    ...record,
    jobs: await core.liveJobs(record),
    urls: {
      original: `${base}/original`,
      ...(names.has('thumbnail') ? { thumbnail: `${base}/thumbnail` } : {}),
      ...(names.has('preview') || names.has('avif') ? { preview: `${base}/preview` } : {}),
      ...(names.has('poster') ? { poster: `${base}/poster` } : {}),
    },
  }
}
