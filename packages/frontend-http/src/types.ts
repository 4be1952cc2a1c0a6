import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Identity, Role } from '@everlock/auth-grants'

/** What a request needs: a role on a path relative to the instance (`''` = the instance itself). */
export type Need = { path: string; role: Role }

export type AuthorizeResult = { ok: true; identity: Identity } | { ok: false; status: 401 | 403; challenge?: string }

/** The function each backend instance is given (backends declare the same structural type). */
export type Authorize = (req: IncomingMessage, need: Need) => Promise<AuthorizeResult>

/** A plain Node request listener, as backends return. May return a promise (its rejection is handled). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/**
 * Writes a refusal in the backend's own format: 401/403 from a check, 429/503 for a password that cannot be
 * checked now (`Retry-After` is already set). `challenge` goes into `WWW-Authenticate` when given.
 */
export type RenderError = (res: ServerResponse, status: 401 | 403 | 429 | 503, challenge?: string) => void

export interface VhostEntry {
  /** Backend family, e.g. `oci`, `image`; a metrics label. */
  readonly backend: string
  /** Instance name, e.g. `default`; a metrics label. */
  readonly instance: string
  /** Access path of the instance, e.g. `http/oci/default`. */
  readonly accessPath: string
  readonly handler: RequestListener
  /**
   * true: the handler calls its own `authorize` with finer needs. false: the frontend checks
   * `roleForMethod(method)` on `accessPath` before calling the handler.
   */
  readonly authorizesItself: boolean
  /** How refusals of the default check are written; a plain-text one by default. */
  readonly renderError?: RenderError
  /** Send `Strict-Transport-Security` on HTTPS responses of this vhost (web apps; not registries). */
  readonly hsts?: boolean
}

/** Minimal logger; pino, console and friends fit. Secrets are never passed to it. */
export interface Logger {
  info?(message: string, fields?: Record<string, unknown>): void
  warn?(message: string, fields?: Record<string, unknown>): void
  error?(message: string, fields?: Record<string, unknown>): void
}
