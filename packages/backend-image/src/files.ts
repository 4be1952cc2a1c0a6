import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LibraryCore } from './core.js'
import { ImageError } from './errors.js'
import { contentDisposition } from './filename.js'
import { serveBlob } from './serve-blob.js'
import { chooseDerivative, isImageFormat } from './negotiate.js'
import { readRecord } from './item.js'
import type { FileName } from './routes.js'
import type { DerivativeName } from './media/index.js'

/** Types served inline: the raster and video formats the library accepts. Anything else goes out as an attachment. */
const INLINE = /^(image\/(jpeg|png|webp|avif|gif|tiff|heif|heic)|video\/(mp4|quicktime|webm))$/

/** Which derivatives can answer each file endpoint. */
const SOURCES: Readonly<Record<Exclude<FileName, 'original'>, readonly DerivativeName[]>> = {
  thumbnail: ['thumbnail'],
  preview: ['preview', 'avif'],
  poster: ['poster'],
}

/** GET/HEAD /api/assets/<id>/original|thumbnail|preview|poster */
export async function serveFile(core: LibraryCore, id: string, file: FileName, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const record = await readRecord(core, id)
  if (file === 'original') {
    const download = url.searchParams.get('download') !== null || !INLINE.test(record.mime)
    await serveBlob(req, res, core.store, core.sendFile, {
      digest: record.digest,
      size: record.size,
      mime: record.mime,
      headers: { 'Content-Disposition': contentDisposition(download ? 'attachment' : 'inline', record.filename), 'Cache-Control': 'private, max-age=31536000, immutable' },
      ...(core.redirectOriginals ? { redirectSeconds: core.redirectOriginals.expiresInSeconds } : {}),
    })
    return
  }
  const formatRaw = url.searchParams.get('format')
  if (formatRaw !== null && !isImageFormat(formatRaw)) throw new ImageError('BAD_REQUEST', "format is one of 'avif', 'webp', 'jpeg'")
  const available = record.derivatives.filter((d) => SOURCES[file].includes(d.name))
  if (available.length === 0) {
    const jobs = await core.liveJobs(record)
    const failed = jobs.derive.state === 'failed' || jobs.derive.state === 'done'
    throw new ImageError(failed ? 'DERIVATIVE_FAILED' : 'DERIVATIVE_PENDING', failed ? `no ${file} could be made for this item` : `the ${file} is not made yet`, { body: { job: jobs.derive } })
  }
  const chosen = chooseDerivative(available, req.headers.accept, formatRaw ?? undefined)
  if (!chosen) {
    if (formatRaw) throw new ImageError('FORMAT_UNAVAILABLE', `no ${formatRaw} ${file} for this item (there is: ${available.map((d) => d.format).join(', ')})`)
    throw new ImageError('NOT_ACCEPTABLE', `the ${file} exists as ${available.map((d) => d.mime).join(', ')}, none of which Accept allows`)
  }
  await serveBlob(req, res, core.store, core.sendFile, {
    digest: chosen.digest,
    size: chosen.size,
    mime: chosen.mime,
    headers: { Vary: 'Accept', 'Cache-Control': 'private, max-age=86400', 'Content-Disposition': contentDisposition('inline', `${file}.${chosen.format === 'jpeg' ? 'jpg' : chosen.format}`) },
  })
}
