import type { IncomingMessage, ServerResponse } from 'node:http'
import { ociJson, plainText, sendWhole } from './render-error.js'

/** An answer the frontend itself gives before any backend: a request it cannot route. */
export interface EdgeError {
  readonly status: 400 | 421
  /** Stable code, e.g. `HOST_UNKNOWN`. */
  readonly code: string
  /** The OCI Distribution code for the same, for `/v2/` requests. */
  readonly ociCode: 'NAME_INVALID' | 'NAME_UNKNOWN'
  readonly message: string
  /** Extra lines for people reading plain text (e.g. how to reach a served host). */
  readonly hint?: string
  readonly detail?: Record<string, unknown>
}

/**
 * Writes an edge error in the client's protocol where one can be inferred: OCI error JSON for `/v2` and below
 * (registry clients), JSON when the client accepts JSON, plain text otherwise.
 */
export function renderEdgeError(req: IncomingMessage, res: ServerResponse, error: EdgeError): void {
  // the path, also of an absolute-form target that was refused
  const path = (req.url ?? '/').replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '').split('?', 1)[0]!
  if (path === '/v2' || path.startsWith('/v2/')) {
    return ociJson(res, error.status, { code: error.ociCode, message: error.message, detail: error.detail ?? null })
  }
  if (/\bjson\b/i.test(req.headers.accept ?? '')) {
    const body = JSON.stringify({ error: error.code, message: error.message, ...error.detail })
    return sendWhole(res, error.status, 'application/json; charset=utf-8', body, { 'Cache-Control': 'no-store' })
  }
  plainText(res, error.status, `${error.message}\n${error.hint ? `${error.hint}\n` : ''}`)
}
