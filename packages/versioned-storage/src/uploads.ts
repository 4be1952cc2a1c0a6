import { createHash, randomUUID, type Hash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { BlobDriver, BlobRef, SideState, UploadOrphan, Uploads, UploadStatus, UploadSweep } from './types'
import type { UploadBytes, UploadRecord } from './upload-bytes'
import { StorageError } from './errors'
import { assertDigest, hexDigest } from './digest'
import { Mutex } from './mutex'
import { uploadsInBucket } from './upload-bucket'
import { uploadFiles } from './upload-files'

const META_PREFIX = 'upload/'
const ID = /^[0-9a-f-]{36}$/

/** A running hash that covers the first `size` bytes of an upload (only while this process has seen all of them). */
interface Running {
  hash: Hash
  size: number
}

/**
 * Resumable uploads: a record per upload in side state (times, acknowledged size, where the bytes are), and the
 * bytes either in the driver's bucket (drivers with `resumable`: nothing local) or in a file under `dir`. Offsets,
 * locks, running hashes, verification and sweeps are this one piece for both.
 */
export function createUploads(opts: { dir: string; state: SideState; blobs: BlobDriver; alive: () => void; putStream: (body: Readable, expect: { digest?: string; size?: number }) => Promise<BlobRef> }): Uploads {
  const { state, blobs } = opts
  const bucket = blobs.resumable ? uploadsInBucket(blobs.resumable) : undefined
  const files = uploadFiles({ ...opts, primary: !bucket })
  // Local files too where the driver keeps uploads: records made before it did still name files.
  const areas: UploadBytes[] = bucket ? [bucket, files] : [files]
  const running = new Map<string, Running>()
  const locks = new Map<string, Mutex>()
  const lock = (id: string): Mutex => {
    let m = locks.get(id)
    if (!m) locks.set(id, (m = new Mutex()))
    return m
  }

  function bytesOf(id: string, rec: UploadRecord): UploadBytes {
    if (rec.in !== 'bucket') return files
    if (!bucket) throw new StorageError('UPLOAD_UNKNOWN', `upload '${id}' is kept in a bucket this store's driver does not reach`)
    return bucket
  }

  async function readRecord(id: string): Promise<UploadRecord | undefined> {
    if (typeof id !== 'string' || !ID.test(id)) return undefined
    const raw = await state.get(META_PREFIX + id)
    return raw ? (JSON.parse(raw) as UploadRecord) : undefined
  }

  const writeRecord = (id: string, rec: UploadRecord): Promise<void> => state.put(META_PREFIX + id, JSON.stringify(rec))

  const isRecorded = async (name: string): Promise<boolean> => (await readRecord(name)) !== undefined

  async function statusOf(id: string, rec: UploadRecord): Promise<UploadStatus> {
    const size = await bytesOf(id, rec).shownSize(id, rec)
    return { id, size, startedAt: rec.startedAt, updatedAt: rec.updatedAt, ...(rec.meta ? { meta: rec.meta } : {}) }
  }

  /** The acknowledged size; bytes past it (an append cut short by a crash) are cut away first. */
  async function acknowledged(id: string, rec: UploadRecord): Promise<number> {
    const { size, cut } = await bytesOf(id, rec).acknowledged(id, rec)
    if (cut) running.delete(id)
    return size
  }

  async function mustExist(id: string): Promise<UploadRecord> {
    const rec = await readRecord(id)
    if (!rec) throw new StorageError('UPLOAD_UNKNOWN', `upload '${String(id).slice(0, 80)}' is unknown`)
    return rec
  }

  /** The record first: a crash before the bytes are removed leaves an orphan for the sweep, never a record without bytes. */
  async function forget(id: string, rec: UploadRecord): Promise<number> {
    running.delete(id)
    await state.del(META_PREFIX + id)
    const freed = await bytesOf(id, rec).remove(id, rec)
    locks.delete(id)
    return freed
  }

  async function* orphans(): AsyncIterable<UploadOrphan> {
    for (const area of areas) yield* area.orphans(isRecorded)
  }

  const uploads: Uploads = {
    async create(options: { meta?: Readonly<Record<string, string>> } = {}): Promise<UploadStatus> {
      opts.alive()
      const extra = options.meta ? { meta: { ...options.meta } } : {}
      const id = randomUUID()
      const now = new Date().toISOString()
      const where = await (bucket ?? files).create(id)
      await writeRecord(id, { startedAt: now, updatedAt: now, size: 0, ...extra, ...where })
      running.set(id, { hash: createHash('sha256'), size: 0 })
      return { id, size: 0, startedAt: now, updatedAt: now, ...extra }
    },

    async append(id: string, body: Readable | AsyncIterable<Uint8Array>, options: { offset?: number } = {}): Promise<UploadStatus> {
      opts.alive()
      await mustExist(id)
      return lock(id).run(async () => {
        const rec = await mustExist(id) // again: a cancel may have run while this append waited
        const before = await acknowledged(id, rec)
        if (options.offset !== undefined && options.offset !== before) {
          throw new StorageError('UPLOAD_OFFSET_INVALID', `chunk starts at ${options.offset}, upload has ${before} bytes`)
        }
        const run = running.get(id)
        const hash = run && run.size === before ? run.hash : undefined
        let stored: { size: number; session?: UploadRecord['session'] }
        try {
          stored = await bytesOf(id, rec).append(id, rec, before, body, hash ? (chunk) => hash.update(chunk) : undefined)
        } catch (err) {
          running.delete(id) // the running hash saw bytes that are gone
          throw err
        }
        if (hash) running.set(id, { hash, size: stored.size })
        const updated = { startedAt: rec.startedAt, updatedAt: new Date().toISOString(), ...(rec.meta ? { meta: rec.meta } : {}) }
        // The durable acknowledgement: written only once every byte of the append is stored.
        await writeRecord(id, { ...rec, ...updated, size: stored.size, ...(stored.session ? { session: stored.session } : {}) })
        return { id, size: stored.size, ...updated }
      })
    },

    async status(id: string): Promise<UploadStatus | undefined> {
      const rec = await readRecord(id)
      return rec ? statusOf(id, rec) : undefined
    },

    async complete(id: string, expect: { digest?: string; size?: number } = {}): Promise<BlobRef> {
      if (expect.digest !== undefined) assertDigest(expect.digest)
      opts.alive()
      await mustExist(id)
      return lock(id).run(async () => {
        const rec = await mustExist(id)
        const size = await acknowledged(id, rec)
        if (expect.size !== undefined && expect.size !== size) {
          throw new StorageError('SIZE_MISMATCH', `upload has ${size} bytes, expected ${expect.size}`)
        }
        const run = running.get(id)
        const known = run && run.size === size ? hexDigest(run.hash.copy().digest('hex')) : undefined
        const mismatch = (digest: string): StorageError => new StorageError('DIGEST_MISMATCH', `upload hashes to ${digest}, expected ${expect.digest}`)
        if (known !== undefined && expect.digest !== undefined && expect.digest !== known) throw mismatch(known)
        const staged = await bytesOf(id, rec).finish(id, rec, size, known)
        // The bytes may be in another shape now (parts assembled into one object): the upload stays usable in it,
        // after a mismatch or a failed publish alike.
        const current = staged.session ? { ...rec, session: staged.session } : rec
        if (current !== rec) await writeRecord(id, current)
        if (expect.digest !== undefined && expect.digest !== staged.digest) {
          await staged.discard()
          throw mismatch(staged.digest)
        }
        await staged.publish()
        await forget(id, current)
        return { digest: staged.digest, size }
      })
    },

    async cancel(id: string): Promise<void> {
      if (!(await readRecord(id))) return
      await lock(id).run(async () => {
        const rec = await readRecord(id)
        if (rec) await forget(id, rec)
      })
    },

    async *list(): AsyncIterable<UploadStatus> {
      for await (const [key, raw] of state.entries(META_PREFIX)) {
        const id = key.slice(META_PREFIX.length)
        yield statusOf(id, JSON.parse(raw) as UploadRecord)
      }
    },

    orphans,

    async sweep(options: { maxAgeMs?: number; graceMs?: number } = {}): Promise<UploadSweep> {
      opts.alive()
      const now = Date.now()
      const counts = { uploads: 0, orphans: 0, truncated: 0, bytes: 0 }
      const ids: string[] = []
      for await (const [key] of state.entries(META_PREFIX)) ids.push(key.slice(META_PREFIX.length))
      for (const id of ids) {
        // Decide under the upload's lock: an append or complete running now finishes first.
        await lock(id).run(async () => {
          const rec = await readRecord(id)
          if (!rec) return
          const stale = options.maxAgeMs !== undefined && Date.parse(rec.updatedAt) < now - options.maxAgeMs
          const tidied = stale ? 'gone' : await bytesOf(id, rec).tidy(id, rec)
          if (tidied === 'gone') {
            counts.bytes += await forget(id, rec)
            counts.uploads++
          } else if (tidied > 0) {
            // The running hash stays: it covers only acknowledged bytes, and those were not touched.
            counts.truncated++
            counts.bytes += tidied
          }
        })
      }
      const cutoff = now - (options.graceMs ?? 0)
      for (const area of areas) {
        for await (const orphan of area.orphans(isRecorded)) {
          if (Date.parse(orphan.modifiedAt) > cutoff) continue // perhaps an upload being created right now
          await area.removeOrphan(orphan)
          counts.orphans++
          counts.bytes += orphan.size
        }
      }
      return counts
    },
  }
  return uploads
}
