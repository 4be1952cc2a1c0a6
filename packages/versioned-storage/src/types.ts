import type { Readable } from 'node:stream'

/** A commit's content id: lowercase hex sha256 of the commit's canonical record. */
export type CommitId = string

/** A content-addressed blob: `sha256:<64 hex>` and its size in bytes. */
export interface BlobRef {
  readonly digest: string
  readonly size: number
}

/** What a tree path points at: a blob, plus optional small string metadata (e.g. a media type). */
export interface Entry {
  readonly digest: string
  readonly size: number
  readonly meta?: Readonly<Record<string, string>>
}

export type Change =
  | { readonly op: 'put'; readonly path: string; readonly digest: string; readonly size: number; readonly meta?: Record<string, string> }
  | { readonly op: 'delete'; readonly path: string }

export interface Commit {
  readonly id: CommitId
  readonly parent: CommitId | null
  /** The Everlock identity that caused the change (user name). */
  readonly author: string
  readonly message: string
  /** ISO-8601 UTC time. */
  readonly time: string
  /** Sequence number, 1 for the first commit of a store. */
  readonly seq: number
  /** The paths this commit put or deleted. */
  readonly paths: readonly string[]
}

export interface ListOptions {
  /** Read the tree as of this commit instead of HEAD. */
  readonly at?: CommitId
  /** Exclusive lower bound (full path) for pagination. */
  readonly after?: string
  readonly limit?: number
}

export interface LogOptions {
  /** Only commits that touched this exact path (or, ending in '/', anything under it). */
  readonly path?: string
  readonly limit?: number
}

export interface ByteRange {
  readonly start: number
  /** Inclusive end offset. */
  readonly end?: number
}

export interface VerifyProblem {
  readonly kind: 'blob-corrupt' | 'blob-missing' | 'blob-size' | 'tree-dangling' | 'commit-broken'
  readonly detail: string
  readonly digest?: string
  readonly path?: string
}

export interface VerifyReport {
  readonly ok: boolean
  readonly blobsChecked: number
  readonly entriesChecked: number
  readonly commitsChecked: number
  readonly problems: readonly VerifyProblem[]
}

/**
 * Unversioned, durable key/value side state that belongs to a store but is not part of its history:
 * upload sessions in progress, staged-but-uncommitted links, caches. Writes are durable when they resolve.
 */
export interface SideState {
  get(key: string): Promise<string | undefined>
  put(key: string, value: string): Promise<void>
  del(key: string): Promise<void>
  /** Many puts/deletes atomically (value undefined = delete). */
  batch(ops: ReadonlyArray<{ key: string; value?: string }>): Promise<void>
  /** Keys in lexicographic order starting with prefix. */
  entries(prefix: string, opts?: { after?: string; limit?: number }): AsyncIterable<[string, string]>
}

export interface UploadStatus {
  readonly id: string
  /** Bytes received so far. */
  readonly size: number
  readonly startedAt: string
  readonly updatedAt: string
  /** What the creator attached (who started it, for what); absent on uploads created without. */
  readonly meta?: Readonly<Record<string, string>>
}

/**
 * Bytes in the uploads area that no upload names (a crash between writing them and recording them): a local
 * file, or an upload's objects in the bucket (drivers with `resumable`).
 */
export interface UploadOrphan {
  /** The file's name, or the upload id the bucket objects belong to. */
  readonly name: string
  readonly size: number
  readonly modifiedAt: string
}

/** What a sweep removed. */
export interface UploadSweep {
  /** Uploads removed: untouched for longer than `maxAgeMs`, or recorded without their bytes. */
  readonly uploads: number
  /** Orphan files removed. */
  readonly orphans: number
  /**
   * Uploads cut back to their acknowledged size (bytes a crash mid-append left past it; in a bucket: objects
   * beside the session that it no longer names).
   */
  readonly truncated: number
  /** Bytes freed on disk. */
  readonly bytes: number
}

/**
 * Resumable uploads (OCI chunked uploads, artifact uploads). Partial bytes are durable once `append`
 * resolves; nothing is visible as a blob until `complete` verifies it.
 */
export interface Uploads {
  /** `meta`: a few short strings kept with the upload and shown by `status`/`list` (e.g. who started it). */
  create(opts?: { meta?: Readonly<Record<string, string>> }): Promise<UploadStatus>
  /** Append a chunk. `offset`, when given, must equal the current size (else UPLOAD_OFFSET_INVALID). */
  append(id: string, body: Readable | AsyncIterable<Uint8Array>, opts?: { offset?: number }): Promise<UploadStatus>
  status(id: string): Promise<UploadStatus | undefined>
  /** Verify (digest/size) and publish as a blob; the upload is gone afterwards. Mismatch: upload is kept intact. */
  complete(id: string, expect?: { digest?: string; size?: number }): Promise<BlobRef>
  /** Idempotent. */
  cancel(id: string): Promise<void>
  list(): AsyncIterable<UploadStatus>
  /** Files (or, with a driver that keeps uploads, bucket objects) no upload names, with their size. */
  orphans(): AsyncIterable<UploadOrphan>
  /**
   * Remove uploads untouched for longer than `maxAgeMs` (when given), uploads whose bytes are gone, and orphan
   * files older than `graceMs` (default 0: all of them; give a grace while uploads are being created); cut back
   * bytes a crash mid-append left past an upload's acknowledged size.
   */
  sweep(opts?: { maxAgeMs?: number; graceMs?: number }): Promise<UploadSweep>
}

/** A named, versioned tree of paths to content-addressed blobs, with a commit log. */
export interface Store {
  readonly name: string
  /** Stream bytes in; hashed while written, verified against `expect`, de-duplicated, published atomically. */
  putBlob(body: Readable | AsyncIterable<Uint8Array>, expect?: { digest?: string; size?: number }): Promise<BlobRef>
  /** Stream bytes out, optionally a byte range (inclusive end). Throws BLOB_UNKNOWN / RANGE_INVALID. */
  getBlob(digest: string, range?: ByteRange): Promise<Readable>
  statBlob(digest: string): Promise<BlobRef | undefined>
  /**
   * The blob as an open local file, for zero-copy serving (sendfile); undefined when the driver keeps no local
   * files (object storage). The caller must `close()` it. Throws BLOB_UNKNOWN.
   */
  openBlobFile(digest: string): Promise<BlobFile | undefined>
  /**
   * A short-lived URL a client can GET the blob's bytes from directly (object storage: a presigned URL), or
   * undefined when the driver has none. It does not check the blob exists. The URL is a bearer credential:
   * hand it to the one client, never log it.
   */
  blobUrl(digest: string, opts: BlobUrlOptions): Promise<string | undefined>
  /** Remove a blob's bytes (caller ensures nothing references it). Idempotent. */
  deleteBlob(digest: string): Promise<void>

  get(path: string, at?: CommitId): Promise<Entry | undefined>
  /** Entries whose path starts with prefix, in lexicographic order. */
  list(prefix: string, opts?: ListOptions): AsyncIterable<[string, Entry]>
  /** Many changes, one atomic commit. Puts must name blobs that exist. */
  commit(changes: readonly Change[], meta: { author: string; message: string }): Promise<Commit>
  /** Newest first. */
  log(opts?: LogOptions): AsyncIterable<Commit>
  head(): Promise<Commit | undefined>
  getCommit(id: CommitId): Promise<Commit | undefined>

  /** Unversioned durable side state (upload sessions, staged links). */
  readonly state: SideState
  /** Resumable uploads: bytes accumulate across requests (and restarts), become a blob on completion. */
  readonly uploads: Uploads
  /** Consistency check: rehash blobs, check tree entries point at blobs. Changes nothing. */
  verify(opts?: { rehash?: boolean }): Promise<VerifyReport>
}

export interface Stores {
  /** Open (creating on first use) the store with this name. Same instance for the same name. */
  open(name: string): Promise<Store>
  /** Names of stores that exist in the data directory. */
  list(): Promise<string[]>
  close(): Promise<void>
}

/** Where a store's bytes live. Factories return one per store. */
/** An open, read-only local file holding a blob's bytes. */
export interface BlobFile {
  readonly fd: number
  readonly size: number
  close(): Promise<void>
}

/** What a presigned blob URL answers with. Range requests work as usual: the client sends `Range` to the URL. */
export interface BlobUrlOptions {
  /** How long the URL works, 1 s to 7 days. */
  readonly expiresInSeconds: number
  /** Content-Type of the answer (default: what the object was stored with). */
  readonly contentType?: string
  /** Content-Disposition of the answer, e.g. `attachment; filename="a.jpg"`. */
  readonly contentDisposition?: string
  readonly cacheControl?: string
}

export interface BlobDriver {
  readonly capabilities: { readonly ranges: boolean; readonly multipart?: boolean }
  /**
   * Write a stream to a temporary location, hashing it; then `publish` or `discard`. `expect.digest`, when the
   * caller knows it, is a hint a driver may use (de-duplicate, write in place). The staged digest is always the
   * one the bytes hash to; the caller compares and discards on a mismatch (a driver may also refuse to publish).
   */
  stage(body: AsyncIterable<Uint8Array>, expect?: { readonly digest?: string; readonly size?: number }): Promise<StagedBlob>
  read(digest: string, range?: ByteRange): Promise<Readable>
  /** Optional: the blob as an open local file (drivers that keep bytes on the local disk). Throws BLOB_UNKNOWN. */
  openFile?(digest: string): Promise<BlobFile>
  stat(digest: string): Promise<{ size: number } | undefined>
  /** Optional: a short-lived URL that serves the blob's bytes without this process (object storage). */
  presignGet?(digest: string, opts: BlobUrlOptions): Promise<string>
  delete(digest: string): Promise<void>
  list(): AsyncIterable<string>
  /** Remove leftovers of interrupted writes. */
  sweep(): Promise<number>
  /**
   * Optional fast path: take ownership of a local file whose digest the caller has verified (e.g. a finished
   * resumable upload), typically by rename. Returns false when it cannot (another file system): the caller
   * then streams the file through `stage`.
   */
  adoptFile?(path: string, digest: string): Promise<boolean>
  /**
   * Optional: resumable uploads kept by the driver itself (object storage: the bytes go to the bucket as they
   * arrive). Without it, the Uploads layer keeps each upload as a local file and streams it through `stage`.
   */
  readonly resumable?: ResumableBlobs
  close?(): Promise<void>
}

/**
 * What a driver keeps of one resumable upload between calls: plain JSON, stored by the Uploads layer in the
 * upload's record (side state), so the acknowledged state is durable exactly when the record is.
 */
export interface ResumableSession {
  /** Bytes stored. */
  readonly size: number
  readonly [field: string]: unknown
}

/**
 * A driver's share of resumable uploads. The Uploads layer keeps records, locks, offsets, running hashes and
 * sweeps; the driver only moves bytes. `session` is what the last successful call returned (undefined for an
 * upload nothing was appended to yet); a call that fails leaves that session valid.
 */
export interface ResumableBlobs {
  /**
   * Store `body` after the session's bytes; resolves once every byte is durable. `onChunk` sees each chunk in
   * order (a running hash). Objects the new session no longer needs are removed by a later call, once the
   * caller has recorded the session (a crash in between loses no acknowledged byte).
   */
  append(id: string, session: ResumableSession | undefined, body: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<ResumableSession>
  /**
   * Ready the upload's bytes as a blob, hashed by reading them back unless `known.digest` (a hash of every byte
   * on the way in) is given. `publish` makes the blob visible under its digest; `discard` keeps the upload, in
   * the state of `session` when the staged blob has one (the caller records it), else as it was.
   */
  finish(id: string, session: ResumableSession | undefined, known: { readonly digest?: string }): Promise<StagedBlob & { readonly session?: ResumableSession }>
  /** Remove everything of the upload (also what a crashed call left); returns the bytes freed. Idempotent. */
  cancel(id: string, session: ResumableSession | undefined): Promise<number>
  /** Remove what a crashed call left beside a live session (the session's bytes stay); returns the bytes freed. */
  prune(id: string, session: ResumableSession | undefined): Promise<number>
  /** Uploads that have objects in the backend, whether or not a record names them (for sweeping orphans). */
  leftovers(): AsyncIterable<{ readonly id: string; readonly size: number; readonly modifiedAt: string }>
}

export interface StagedBlob {
  readonly digest: string
  readonly size: number
  /** Make the staged bytes visible under their digest (atomic, durable, idempotent if already present). */
  publish(): Promise<void>
  discard(): Promise<void>
}
