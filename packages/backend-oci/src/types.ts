import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Store } from '@everlock/versioned-storage'

export type Role = 'reader' | 'writer' | 'owner'

/** What a request needs: a role on a path relative to the registry instance ('' = the whole instance, or a repository name). */
export interface Need {
  readonly path: string
  readonly role: Role
}

export type AuthorizeResult =
  | { readonly ok: true; readonly identity: { readonly user: string } }
  | { readonly ok: false; readonly status: 401 | 403; readonly challenge?: string }

/** Decides whether a request may do what it needs; the identity it returns authors the commits the request makes. */
export type Authorize = (req: IncomingMessage, need: Need) => Promise<AuthorizeResult>

/** The parts of an Everlock store the registry uses. */
export type RegistryStore = Pick<Store, 'putBlob' | 'getBlob' | 'statBlob' | 'get' | 'list' | 'commit' | 'state' | 'uploads'> & Partial<Pick<Store, 'openBlobFile' | 'blobUrl'>>

/** A whole response whose body is `length` bytes of the open file `fd` from `start`. */
export interface FileResponse {
  readonly status: number
  readonly headers: OutgoingHttpHeaders
  readonly fd: number
  readonly start: number
  readonly length: number
}

/**
 * Sends a file response (head and body; it sets Content-Length) and resolves once the body is handed to the
 * connection. `createFileBodySender()` from `@everlock/sendfile` is one: sendfile(2), no copies through
 * JavaScript. The registry closes the file afterwards.
 */
export type SendFile = (res: ServerResponse, file: FileResponse) => Promise<void>

export interface OciRegistryOptions {
  readonly store: RegistryStore
  /** Without it every request is allowed as user `anonymous` (for embedders that authenticate elsewhere). */
  readonly authorize?: Authorize
  /**
   * A `WWW-Authenticate` value the registry ping (`GET /v2/` without an Authorization header) always answers
   * 401 with, even when anonymous reads are allowed. podman, skopeo and docker send stored credentials only
   * after the ping has challenged them; without this, making pulls public turns logged-in users into anonymous
   * ones (and their pushes into 401s). Anonymous clients carry on without credentials after the challenge.
   */
  readonly pingChallenge?: string
  /** Upload sessions untouched for this long are cancelled (default 24 h). */
  readonly uploadTtlMs?: number
  /**
   * How often abandoned sessions are looked for (default 10 min; at most a quarter of `uploadTtlMs`). Each sweep
   * also cancels this registry's uploads that a crash left without a session record.
   */
  readonly uploadSweepIntervalMs?: number
  /**
   * Open upload sessions one user may hold at once (default 100); one more is refused with 429 TOOMANYREQUESTS
   * and `Retry-After`. Monolithic pushes (`POST ?digest=`) and mounts open no session.
   */
  readonly maxUploadsPerUser?: number
  /** Largest manifest accepted (default 4 MiB). */
  readonly maxManifestBytes?: number
  /**
   * Serve blob bodies from local files with this (when the store has them); without it blobs are streamed
   * through JavaScript.
   */
  readonly sendFile?: SendFile
  /**
   * Answer blob GETs (not HEADs) with 307 and a `Location` the store signs for this long (`store.blobUrl`: a
   * presigned object-storage URL), after authorisation, so the bytes go from the object store straight to the
   * client; Range requests are redirected too (the client sends the Range on). Stores without URLs (the local
   * disk) keep serving the bytes. The URL is a bearer credential: it is never logged.
   */
  readonly redirectBlobGets?: { readonly expiresInSeconds: number }
  /** Errors that are the server's fault (5xx) are reported here. */
  readonly log?: (message: string, error?: unknown) => void
}

export type RequestListener = (req: IncomingMessage, res: import('node:http').ServerResponse) => void

export interface OciRegistry extends RequestListener {
  /** Stop background timers (upload expiry). */
  close(): void
  /** Run the upload sweep now (it also runs every `uploadSweepIntervalMs`): what it cancelled. */
  sweepUploads(): Promise<{ sessions: number; unrecorded: number }>
}
