import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { BlobDriver, BlobRef, SideState, UploadOrphan, Uploads, UploadStatus, UploadSweep } from './types'
import { asNoSpace, StorageError } from './errors'
import { assertDigest, hexDigest } from './digest'
import { Mutex } from './mutex'
import { writeBodyDurably } from './pipelined-write'

const META_PREFIX = 'upload/'
const ID = /^[0-9a-f-]{36}$/

interface UploadMeta {
  startedAt: string
  updatedAt: string
  /**
   * Bytes acknowledged to the client. The file may hold more after a crash mid-append (the pipelined writer
   * runs writes out of order, so those bytes may even have holes); they are cut off before the next use.
   * Absent in uploads made before this field existed: the file size counts then.
   */
  size?: number
  /** Set by the creator (`create({ meta })`). */
  meta?: Record<string, string>
}

/** A running hash that covers the first `size` bytes of an upload (only while this process has seen all of them). */
interface Running {
  hash: Hash
  size: number
}

/**
 * Resumable uploads: each upload is a file under `dir`, with its times in side state. Appends are fsync'ed
 * before they resolve; a failed append is truncated back so the upload never holds a partial chunk.
 */
export function createUploads(opts: { dir: string; state: SideState; blobs: BlobDriver; alive: () => void; putStream: (body: Readable, expect: { digest?: string; size?: number }) => Promise<BlobRef> }): Uploads {
  const { dir, state, blobs } = opts
  const running = new Map<string, Running>()
  const locks = new Map<string, Mutex>()
  const fileOf = (id: string): string => join(dir, id)
  const lock = (id: string): Mutex => {
    let m = locks.get(id)
    if (!m) locks.set(id, (m = new Mutex()))
    return m
  }

  async function readMeta(id: string): Promise<UploadMeta | undefined> {
    if (typeof id !== 'string' || !ID.test(id)) return undefined
    const raw = await state.get(META_PREFIX + id)
    return raw ? (JSON.parse(raw) as UploadMeta) : undefined
  }

  async function statusOf(id: string, meta: UploadMeta): Promise<UploadStatus> {
    const size = meta.size ?? (await stat(fileOf(id)).catch(() => undefined))?.size ?? 0
    return { id, size, startedAt: meta.startedAt, updatedAt: meta.updatedAt, ...(meta.meta ? { meta: meta.meta } : {}) }
  }

  /** The acknowledged size; bytes past it (an append cut short by a crash) are truncated away first. */
  async function acknowledged(id: string, meta: UploadMeta): Promise<number> {
    const file = fileOf(id)
    const onDisk = (await stat(file)).size
    if (meta.size === undefined || meta.size === onDisk) return onDisk
    if (meta.size > onDisk) throw new StorageError('UPLOAD_UNKNOWN', `upload '${id}' lost acknowledged bytes`)
    running.delete(id)
    await truncate(file, meta.size)
    return meta.size
  }

  async function mustExist(id: string): Promise<UploadMeta> {
    const meta = await readMeta(id)
    if (!meta) throw new StorageError('UPLOAD_UNKNOWN', `upload '${String(id).slice(0, 80)}' is unknown`)
    return meta
  }

  async function forget(id: string): Promise<void> {
    running.delete(id)
    await state.del(META_PREFIX + id)
    await rm(fileOf(id), { force: true })
    locks.delete(id)
  }

  /** Upload files no record names (only names an upload could have: the area holds nothing else). */
  async function* unrecorded(): AsyncIterable<UploadOrphan> {
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      if (await readMeta(name)) continue
      const info = await stat(join(dir, name)).catch(() => undefined)
      if (info?.isFile()) yield { name, size: info.size, modifiedAt: info.mtime.toISOString() }
    }
  }

  const uploads = {
    async create(options: { meta?: Readonly<Record<string, string>> } = {}): Promise<UploadStatus> {
      opts.alive()
      const extra = options.meta ? { meta: { ...options.meta } } : {}
      await mkdir(dir, { recursive: true })
      const id = randomUUID()
      const now = new Date().toISOString()
      const fh = await open(fileOf(id), 'wx', 0o644)
      await fh.close()
      await state.put(META_PREFIX + id, JSON.stringify({ startedAt: now, updatedAt: now, size: 0, ...extra } satisfies UploadMeta))
      running.set(id, { hash: createHash('sha256'), size: 0 })
      return { id, size: 0, startedAt: now, updatedAt: now, ...extra }
    },

    async append(id: string, body: Readable | AsyncIterable<Uint8Array>, options: { offset?: number } = {}): Promise<UploadStatus> {
      opts.alive()
      await mustExist(id)
      return lock(id).run(async () => {
        const meta = await mustExist(id) // again: a cancel may have run while this append waited
        const file = fileOf(id)
        const before = await acknowledged(id, meta)
        if (options.offset !== undefined && options.offset !== before) {
          throw new StorageError('UPLOAD_OFFSET_INVALID', `chunk starts at ${options.offset}, upload has ${before} bytes`)
        }
        const run = running.get(id)
        const hash = run && run.size === before ? run.hash : undefined
        // Explicit positions, not O_APPEND: the pipelined writer runs several writes at once.
        const fh = await open(file, 'r+')
        let size: number
        try {
          size = before + (await writeBodyDurably(fh, body, { position: before, onChunk: hash ? (chunk) => hash.update(chunk) : undefined }))
        } catch (err) {
          await fh.close().catch(() => undefined)
          await truncate(file, before).catch(() => undefined)
          running.delete(id) // the running hash saw bytes that are gone
          throw asNoSpace(err)
        }
        await fh.close()
        if (hash) running.set(id, { hash, size })
        const updated = { startedAt: meta.startedAt, updatedAt: new Date().toISOString(), ...(meta.meta ? { meta: meta.meta } : {}) }
        await state.put(META_PREFIX + id, JSON.stringify({ ...updated, size } satisfies UploadMeta))
        return { id, size, ...updated }
      })
    },

    async status(id: string): Promise<UploadStatus | undefined> {
      const meta = await readMeta(id)
      return meta ? statusOf(id, meta) : undefined
    },

    async complete(id: string, expect: { digest?: string; size?: number } = {}): Promise<BlobRef> {
      if (expect.digest !== undefined) assertDigest(expect.digest)
      opts.alive()
      await mustExist(id)
      return lock(id).run(async () => {
        const meta = await mustExist(id)
        const file = fileOf(id)
        const size = await acknowledged(id, meta)
        const run = running.get(id)
        const digest = run && run.size === size ? hexDigest(run.hash.copy().digest('hex')) : await hashFile(file)
        if (expect.size !== undefined && expect.size !== size) {
          throw new StorageError('SIZE_MISMATCH', `upload has ${size} bytes, expected ${expect.size}`)
        }
        if (expect.digest !== undefined && expect.digest !== digest) {
          throw new StorageError('DIGEST_MISMATCH', `upload hashes to ${digest}, expected ${expect.digest}`)
        }
        const adopted = blobs.adoptFile ? await blobs.adoptFile(file, digest) : false
        if (!adopted) await opts.putStream(createReadStream(file), { digest, size })
        await forget(id)
        return { digest, size }
      })
    },

    async cancel(id: string): Promise<void> {
      if (!(await readMeta(id))) return
      await lock(id).run(() => forget(id))
    },

    async *list(): AsyncIterable<UploadStatus> {
      for await (const [key, raw] of state.entries(META_PREFIX)) {
        const id = key.slice(META_PREFIX.length)
        yield statusOf(id, JSON.parse(raw) as UploadMeta)
      }
    },

    orphans: unrecorded,

    async sweep(options: { maxAgeMs?: number; graceMs?: number } = {}): Promise<UploadSweep> {
      opts.alive()
      const now = Date.now()
      const counts = { uploads: 0, orphans: 0, truncated: 0, bytes: 0 }
      const ids: string[] = []
      for await (const [key] of state.entries(META_PREFIX)) ids.push(key.slice(META_PREFIX.length))
      for (const id of ids) {
        // Decide under the upload's lock: an append or complete running now finishes first.
        await lock(id).run(async () => {
          const meta = await readMeta(id)
          if (!meta) return
          const file = await stat(fileOf(id)).catch(() => undefined)
          const stale = options.maxAgeMs !== undefined && Date.parse(meta.updatedAt) < now - options.maxAgeMs
          if (file && !stale) {
            // Bytes past the acknowledged size, with no append running (we hold its lock): a crash mid-append.
            if (meta.size === undefined || file.size <= meta.size) return
            running.delete(id)
            await truncate(fileOf(id), meta.size)
            counts.truncated++
            counts.bytes += file.size - meta.size
            return
          }
          await forget(id)
          counts.uploads++
          counts.bytes += file?.size ?? 0
        })
      }
      const cutoff = now - (options.graceMs ?? 0)
      for await (const orphan of unrecorded()) {
        if (Date.parse(orphan.modifiedAt) > cutoff) continue // perhaps an upload being created right now
        await rm(join(dir, orphan.name), { force: true })
        counts.orphans++
        counts.bytes += orphan.size
      }
      return counts
    },
  }
  return uploads
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer)
  return hexDigest(hash.digest('hex'))
}
