import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { BlobDriver, BlobRef } from './types'
import type { UploadBytes } from './upload-bytes'
import { asNoSpace, StorageError } from './errors'
import { hexDigest } from './digest'
import { writeBodyDurably } from './pipelined-write'
import { settleOnce } from './staged'

/**
 * Each upload a file `<dir>/<id>`. Appends are fsync'ed before they resolve; a failed append is truncated back so
 * the file never holds a partial chunk. On completion the file is adopted by the driver (a rename) or streamed
 * through `putStream`.
 */
export function uploadFiles(opts: {
  dir: string
  blobs: BlobDriver
  putStream: (body: Readable, expect: { digest?: string; size?: number }) => Promise<BlobRef>
  /** New uploads go here: the directory is made by the first look for orphans. Else only read when it exists. */
  primary: boolean
}): UploadBytes {
  const { dir, blobs } = opts
  const fileOf = (id: string): string => join(dir, id)
  const sizeOnDisk = async (id: string): Promise<number | undefined> => (await stat(fileOf(id)).catch(() => undefined))?.size
  return {
    async create(id) {
      await mkdir(dir, { recursive: true })
      const fh = await open(fileOf(id), 'wx', 0o644)
      await fh.close()
      return {}
    },

    async shownSize(id, rec) {
      return rec.size ?? (await sizeOnDisk(id)) ?? 0
    },

    async acknowledged(id, rec) {
      const file = fileOf(id)
      const onDisk = (await stat(file)).size
      if (rec.size === undefined || rec.size === onDisk) return { size: onDisk, cut: false }
      if (rec.size > onDisk) throw new StorageError('UPLOAD_UNKNOWN', `upload '${id}' lost acknowledged bytes`)
      await truncate(file, rec.size)
      return { size: rec.size, cut: true }
    },

    async append(id, _rec, before, body, onChunk) {
      const file = fileOf(id)
      // Explicit positions, not O_APPEND: the pipelined writer runs several writes at once.
      const fh = await open(file, 'r+')
      try {
        const size = before + (await writeBodyDurably(fh, body, { position: before, onChunk }))
        await fh.close()
        return { size }
      } catch (err) {
        await fh.close().catch(() => undefined)
        await truncate(file, before).catch(() => undefined)
        throw asNoSpace(err)
      }
    },

    async finish(id, _rec, size, known) {
      const file = fileOf(id)
      const digest = known ?? (await hashFile(file))
      return settleOnce(
        digest,
        size,
        async () => {
          const adopted = blobs.adoptFile ? await blobs.adoptFile(file, digest) : false
          if (!adopted) await opts.putStream(createReadStream(file), { digest, size })
        },
        async () => undefined,
      )
    },

    async remove(id) {
      const size = await sizeOnDisk(id)
      await rm(fileOf(id), { force: true })
      return size ?? 0
    },

    async tidy(id, rec) {
      const onDisk = await sizeOnDisk(id)
      if (onDisk === undefined) return 'gone'
      // Bytes past the acknowledged size, with no append running (the caller holds its lock): a crash mid-append.
      if (rec.size === undefined || onDisk <= rec.size) return 0
      await truncate(fileOf(id), rec.size)
      return onDisk - rec.size
    },

    async *orphans(recorded) {
      // Only names an upload could have: the area holds nothing else. No directory: nothing was ever uploaded here.
      if (opts.primary) await mkdir(dir, { recursive: true })
      const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return []
        throw err
      })
      for (const name of names) {
        if (await recorded(name)) continue
        const info = await stat(join(dir, name)).catch(() => undefined)
        if (info?.isFile()) yield { name, size: info.size, modifiedAt: info.mtime.toISOString() }
      }
    },

    async removeOrphan(orphan) {
      await rm(join(dir, orphan.name), { force: true })
    },
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer)
  return hexDigest(hash.digest('hex'))
}
