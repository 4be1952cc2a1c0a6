import type { ServerResponse } from 'node:http'
import type { RenderError } from './types.js'

const TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  429: 'too many requests',
  500: 'internal error',
  503: 'unavailable',
}

/** Answers `status` with a whole `body` of `type` (none for HEAD); a response already started is cut instead. */
export function sendWhole(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.statusCode = status
  res.setHeader('Content-Type', type)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

/** Answers `status` with a one-line plain-text body, unless the response already started. */
export function plainText(res: ServerResponse, status: number, body = `${TEXT[status] ?? 'error'}\n`): void {
  sendWhole(res, status, 'text/plain; charset=utf-8', body, { 'Cache-Control': 'no-store' })
}

/** The default refusal: plain text, with `WWW-Authenticate` when a challenge is given. */
export const renderPlainError: RenderError = (res, status, challenge) => {
  if (challenge && !res.headersSent) res.setHeader('WWW-Authenticate', challenge)
  plainText(res, status)
}

/** OCI Distribution error codes of the refusals (429's is the spec's; 503's is Docker's, which clients know). */
const OCI_ERRORS: Record<401 | 403 | 429 | 503, { code: string; message: string }> = {
  401: { code: 'UNAUTHORIZED', message: 'authentication required' },
  403: { code: 'DENIED', message: 'requested access to the resource is denied' },
  429: { code: 'TOOMANYREQUESTS', message: 'too many password checks from this address are waiting; retry later' },
  503: { code: 'UNAVAILABLE', message: 'too many password checks are running; retry later' },
}

/** A refusal in the OCI Distribution error format (`UNAUTHORIZED`, `DENIED`, `TOOMANYREQUESTS`, `UNAVAILABLE`). */
export const renderOciError: RenderError = (res, status, challenge) => {
  if (challenge && !res.headersSent) res.setHeader('WWW-Authenticate', challenge)
  ociJson(res, status, { ...OCI_ERRORS[status], detail: null })
}

/** Answers `status` with an OCI error body `{ errors: [error] }`, unless the response already started. */
export function ociJson(res: ServerResponse, status: number, error: { code: string; message: string; detail: unknown }): void {
  sendWhole(res, status, 'application/json; charset=utf-8', JSON.stringify({ errors: [error] }), { 'Docker-Distribution-API-Version': 'registry/2.0' })
}

/** JSON error codes of the refusals, as JSON APIs (the media library) answer them. */
const JSON_ERRORS: Record<401 | 403 | 429 | 503, { code: string; message: string }> = {
  401: { code: 'UNAUTHORIZED', message: 'authentication required' },
  403: { code: 'FORBIDDEN', message: 'you have no access to this' },
  429: { code: 'TOO_MANY_REQUESTS', message: 'too many password checks from this address are waiting; retry later' },
  503: { code: 'UNAVAILABLE', message: 'too many password checks are running; retry later' },
}

/** A refusal as JSON `{ error: { code, message } }` (`UNAUTHORIZED`, `FORBIDDEN`, `TOO_MANY_REQUESTS`, `UNAVAILABLE`). */
export const renderJsonError: RenderError = (res, status, challenge) => {
  if (challenge && !res.headersSent) res.setHeader('WWW-Authenticate', challenge)
  sendWhole(res, status, 'application/json; charset=utf-8', JSON.stringify({ error: JSON_ERRORS[status] }), { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
}
