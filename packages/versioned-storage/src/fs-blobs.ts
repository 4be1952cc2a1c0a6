import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { BlobDriver, ByteRange, StagedBlob } from './types'
import { settleOnce } from './staged'
import { asNoSpace, StorageError } from './errors'
import { digestHex, hexDigest } from './digest'
import { resolveRange } from './range'
import { fsyncDir } from './fsync'
import { writeBodyDurably } from './pipelined-write'

export interface FsBlobsOptions {
  /** Directory that holds `sha256/<ab>/<hex>` and `tmp/`. */
  readonly dir: string
}

const READ_CHUNK = 1024 * 1024

/**
 * Blobs on the local disk: written to `tmp/`, hashed while written, fsync'ed, then renamed to their digest
 * (and the directory fsync'ed), so a crash never leaves a partial blob under a digest name.
 */
export function fsBlobs({ dir }: FsBlobsOptions): BlobDriver {
  const tmpDir = join(dir, 'tmp')
  const blobPath = (digest: string): string => {
    const hex = digestHex(digest)
    return join(dir, 'sha256', hex.slice(0, 2), hex)
  }
  let ready: Promise<void> | undefined
  const ensureDirs = (): Promise<void> => (ready ??= mkdir(tmpDir, { recursive: true }).then(() => undefined))

  async function publishFile(from: string, digest: string): Promise<void> {
    const to = blobPath(digest)
    if (await exists(to)) {
      await unlink(from).catch(() => undefined)
      return
    }
    const shard = join(to, '..')
    await mkdir(shard, { recursive: true })
    await rename(from, to)
    await fsyncDir(shard)
  }

  return {
    capabilities: { ranges: true },

    async stage(body: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
      await ensureDirs()
      const tmp = join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`)
      const hash = createHash('sha256')
      let size: number
      const fh = await open(tmp, 'wx', 0o644)
      try {
        size = await writeBodyDurably(fh, body, { onChunk: (chunk) => hash.update(chunk) })
      } catch (err) {
        await fh.close().catch(() => undefined)
        await unlink(tmp).catch(() => undefined)
        throw asNoSpace(err)
      }
      await fh.close()
      const digest = hexDigest(hash.digest('hex'))
      return settleOnce(
        digest,
        size,
        async () => {
          try {
            await publishFile(tmp, digest)
          } catch (err) {
            await unlink(tmp).catch(() => undefined)
            throw asNoSpace(err)
          }
        },
        () => unlink(tmp).catch(() => undefined),
      )
    },

    async read(digest: string, range?: ByteRange): Promise<Readable> {
      const path = blobPath(digest)
      const info = await stat(path).catch(() => undefined)
      if (!info) throw new StorageError('BLOB_UNKNOWN', `blob ${digest} is unknown`)
      if (!range) return createReadStream(path, { highWaterMark: READ_CHUNK })
      if (info.size === 0) throw new StorageError('RANGE_INVALID', 'a range of an empty blob')
      const { start, end } = resolveRange(range, info.size)
      return createReadStream(path, { start, end, highWaterMark: READ_CHUNK })
    },

    async openFile(digest: string) {
      const handle = await open(blobPath(digest), 'r').catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? new StorageError('BLOB_UNKNOWN', `blob ${digest} is unknown`) : err
      })
      const { size } = await handle.stat().catch(async (err: unknown) => {
        await handle.close()
        throw err
      })
      return { fd: handle.fd, size, close: () => handle.close() }
    },

    async stat(digest: string) {
      const info = await stat(blobPath(digest)).catch(() => undefined)
      return info ? { size: info.size } : undefined
    },

    async delete(digest: string) {
      await rm(blobPath(digest), { force: true })
    },

    async *list() {
      const root = join(dir, 'sha256')
      for (const shard of (await readdir(root).catch(() => [])).sort()) {
        for (const hex of (await readdir(join(root, shard)).catch(() => [])).sort()) {
          if (/^[a-f0-9]{64}$/.test(hex)) yield hexDigest(hex)
        }
      }
    },

    async sweep() {
      await ensureDirs()
      const leftovers = await readdir(tmpDir)
      await Promise.all(leftovers.map((name) => rm(join(tmpDir, name), { force: true })))
      return leftovers.length
    },

    async adoptFile(path: string, digest: string) {
      try {
        await publishFile(path, digest)
        return true
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EXDEV') return false
        throw asNoSpace(err)
      }
    },
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}
