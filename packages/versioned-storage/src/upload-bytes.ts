import type { Readable } from 'node:stream'
import type { ResumableSession, StagedBlob, UploadOrphan } from './types'

/** An upload's record in side state (`upload/<id>`): times, the acknowledged size, where its bytes are. */
export interface UploadRecord {
  readonly startedAt: string
  readonly updatedAt: string
  /**
   * Bytes acknowledged to the client. A local file may hold more after a crash mid-append (the pipelined writer
   * runs writes out of order, so those bytes may even have holes); they are cut off before the next use.
   * Absent in uploads made before this field existed: the file size counts then.
   */
  readonly size?: number
  /** Set by the creator (`create({ meta })`). */
  readonly meta?: Record<string, string>
  /** 'bucket': the driver's `resumable` keeps the bytes, its state in `session`. Absent: a local file. */
  readonly in?: 'bucket'
  readonly session?: ResumableSession
}

/**
 * Where the bytes of uploads live: a local file each, or the driver's bucket. Records, locks, offsets, running
 * hashes and sweeps are the Uploads layer's, the same for both (src/uploads.ts).
 */
export interface UploadBytes {
  /** Room for a new upload; what its record keeps of where the bytes are. */
  create(id: string): Promise<Pick<UploadRecord, 'in' | 'session'>>
  /** The size to show, repairing nothing. */
  shownSize(id: string, rec: UploadRecord): Promise<number>
  /** The acknowledged size; `cut` when bytes a crash left past it were cut off. UPLOAD_UNKNOWN when acknowledged bytes are gone. */
  acknowledged(id: string, rec: UploadRecord): Promise<{ size: number; cut: boolean }>
  /** Store the body after the first `before` bytes; durable when it resolves. A failure keeps the upload as it was. */
  append(id: string, rec: UploadRecord, before: number, body: Readable | AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<{ size: number; session?: ResumableSession }>
  /** The upload's bytes as a staged blob (hashed unless `digest` is known); `session`: the state to record if the caller keeps the upload. */
  finish(id: string, rec: UploadRecord, size: number, digest: string | undefined): Promise<StagedBlob & { session?: ResumableSession }>
  /** Remove the bytes; returns how many there were. */
  remove(id: string, rec: UploadRecord): Promise<number>
  /** For the sweep of a live upload: 'gone' when its bytes are lost, else the bytes of crash leftovers removed. */
  tidy(id: string, rec: UploadRecord): Promise<'gone' | number>
  /** Bytes no record names (`recorded` tells). */
  orphans(recorded: (name: string) => Promise<boolean>): AsyncIterable<UploadOrphan>
  removeOrphan(orphan: UploadOrphan): Promise<void>
}
