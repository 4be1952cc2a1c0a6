import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Store } from '@everlock/versioned-storage'
import type { JobQueue } from '@everlock/jobs'
import type { DerivativeSpec } from './media/index.js'

export type Role = 'reader' | 'writer' | 'owner'

/** What a request needs: a role on a path relative to the instance (`''` = the whole library). */
export interface Need {
  readonly path: string
  readonly role: Role
}

export type AuthorizeResult =
  /**
   * `via` says how the caller proved who it is (as `@everlock/auth-grants` identities do): changing requests
   * authorized by a login session (`'session'`) must carry the session's CSRF token; `'anon'` marks a caller
   * without credentials (a public gallery). Without `via`, a request carrying the session cookie counts as a
   * session request.
   */
  | { readonly ok: true; readonly identity: { readonly user: string; readonly via?: string } }
  | { readonly ok: false; readonly status: 401 | 403; readonly challenge?: string }

/** Decides whether a request may do what it needs; the identity it returns authors the commits the request makes. */
export type Authorize = (req: IncomingMessage, need: Need) => Promise<AuthorizeResult>

/** The parts of an Everlock store the library uses. */
export type LibraryStore = Pick<Store, 'name' | 'putBlob' | 'getBlob' | 'statBlob' | 'deleteBlob' | 'get' | 'list' | 'commit' | 'log' | 'head'> &
  Partial<Pick<Store, 'openBlobFile' | 'blobUrl'>>

/** The parts of an `@everlock/jobs` queue the library uses. */
export type LibraryJobs = Pick<JobQueue, 'enqueue' | 'handle' | 'getByKey' | 'retry' | 'onSettled'>

/** A whole response whose body is `length` bytes of the open file `fd` from `start` (as `@everlock/sendfile` takes). */
export interface FileResponse {
  readonly status: number
  readonly headers: OutgoingHttpHeaders
  readonly fd: number
  readonly start: number
  readonly length: number
}

/** Sends a file response (head and body, setting Content-Length); `createFileBodySender()` of `@everlock/sendfile` is one. */
export type SendFile = (res: ServerResponse, file: FileResponse) => Promise<void>

/** What a captioning model says about one image. */
export interface Description {
  /** A sentence or two describing the image. */
  readonly caption: string
  /** Text visible in the image ('' when none). */
  readonly text: string
  /** Search tags. */
  readonly tags: readonly string[]
}

/**
 * The narrow captioning interface (filled by `@everlock/ai-runtime`): describe the image file at `path`.
 * The library normalises the answer (trimmed; tags lowercased, de-duplicated). Honour `signal`.
 */
export type Describe = (file: { readonly path: string; readonly mime: string }, opts: { readonly signal: AbortSignal }) => Promise<Description>

export interface ImageLibraryLimits {
  /** Largest original accepted, in bytes (default 8 GiB); larger uploads get 413 BODY_TOO_LARGE. */
  readonly maxUploadBytes?: number
  /** Images with more input pixels are refused (413 MEDIA_TOO_LARGE; default 268 402 689, sharp's). */
  readonly maxPixels?: number
  /** Files in one multipart upload (default 100). */
  readonly maxFilesPerUpload?: number
}

/** What `LibrarySessions.login` answers. */
export type LoginResult =
  | {
      readonly ok: true
      readonly user: string
      /** The highest role the user holds on the instance (at least reader, else the login is refused). */
      readonly role: Role
      /** The `Set-Cookie` value that starts the session. */
      readonly cookie: string
      /** The CSRF token of the new session (what `csrfTokenFor` answers for requests carrying its cookie). */
      readonly csrfToken: string
      /** ISO 8601. */
      readonly expiresAt: string
    }
  | {
      readonly ok: false
      readonly status: 401 | 403 | 429 | 503
      readonly code: 'LOGIN_FAILED' | 'NO_ACCESS' | 'TOO_MANY_REQUESTS' | 'UNAVAILABLE'
      /** Seconds, for 429/503. */
      readonly retryAfter?: number
    }

/**
 * Password logins with cookie sessions (filled by the app from `@everlock/auth-grants` and the HTTP
 * frontend's login throttle). The library's `authorize` must accept the session cookie it sets.
 */
export interface LibrarySessions {
  /** Check the password (throttled like Basic auth), require at least reader on the instance, start a session. */
  login(req: IncomingMessage, user: string, password: string): Promise<LoginResult>
  /** End the session whose cookie `req` carries (if any); answers the clearing `Set-Cookie` value. */
  logout(req: IncomingMessage): Promise<{ readonly cookie: string }>
  /** The CSRF token bound to the session cookie `req` carries; undefined without one. */
  csrfTokenFor(req: IncomingMessage): string | undefined
}

/** Serves the web app's files for a non-`/api/` GET/HEAD; false when it has nothing for this request. */
export type ServeWebAsset = (req: IncomingMessage, res: ServerResponse) => boolean

export type LogFn = (message: string, error?: unknown) => void

export interface ImageLibraryOptions {
  readonly store: LibraryStore
  /** The durable queue derived work runs on (may be shared by many libraries: kinds include the store name). */
  readonly jobs: LibraryJobs
  /** Without it every request is allowed as user `anonymous` (for embedders that authenticate elsewhere). */
  readonly authorize?: Authorize
  /** Serve originals and derivatives from local files with this (when the store has them). */
  readonly sendFile?: SendFile
  /**
   * Answer GETs of originals with 307 to a URL the store signs for this long (`store.blobUrl`: presigned object
   * storage, with the file's name and type as response overrides), after authorisation, so the bytes go from
   * the bucket straight to the client. HEADs, 304s and derivatives are answered here; stores without URLs keep
   * serving the bytes. The URL is never logged.
   */
  readonly redirectOriginals?: { readonly expiresInSeconds: number }
  /** Captioning; without it no caption job ever runs and records say captions are `unavailable`. */
  readonly describe?: Describe
  /** Server-side failures (5xx, failed jobs) are reported here. */
  readonly log?: LogFn
  readonly limits?: ImageLibraryLimits
  /** Derivatives made for each item (default: thumbnail 250 px WebP, preview 1440 px JPEG; `avif: true` adds a 1440 px AVIF). */
  readonly derivatives?: readonly DerivativeSpec[]
  /** Add the optional AVIF preview to the default derivatives. */
  readonly avif?: boolean
  /** Derive jobs running at once (default 2). */
  readonly concurrency?: number
  /** Password login with cookie sessions (`/api/session`); without it `POST /api/session` answers 404. */
  readonly sessions?: LibrarySessions
  /** The instance's public URL (`https://photos.example.org`), for share links; without it they are relative (`/s/<token>`). */
  readonly publicUrl?: string
  /** Name of the session cookie (default `everlock_session`), to tell session requests when `via` is absent. */
  readonly sessionCookie?: string
  /** Clock for share expiry and album times, for tests. */
  readonly now?: () => number
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

export interface ImageLibrary extends RequestListener {
  /** Resolves once the in-memory index is built from the store (requests wait for it on their own). */
  readonly ready: Promise<void>
  /**
   * Stop: requests answer 503 LIBRARY_CLOSED, the library's job handlers and listeners are detached from the
   * queue (a queue keeps one handler per kind, so a library made again over the same store takes them over;
   * jobs that come due meanwhile fail that attempt and retry). Close the queue and stores after it.
   */
  close(): Promise<void>
}
