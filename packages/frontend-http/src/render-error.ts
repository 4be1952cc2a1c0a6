import type { ServerResponse } from 'node:http'
import type { RenderError } from './types.js'

const TEXT: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'internal error', 503: 'unavailable' }

/** Answers `status` with a one-line plain-text body, unless the response already started. */
export function plainText(res: ServerResponse, status: number, body = `${TEXT[status] ?? 'error'}\n`): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('Cache-Control', 'no-store')
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

/** The default refusal: plain text, with `WWW-Authenticate` when a challenge is given. */
export const renderPlainError: RenderError = (res, status, challenge) => {
  if (challenge && !res.headersSent) res.setHeader('WWW-Authenticate', challenge)
  plainText(res, status)
}

/** A refusal in the OCI Distribution error format (`UNAUTHORIZED` / `DENIED`). */
export const renderOciError: RenderError = (res, status, challenge) => {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const error =
    status === 401
      ? { code: 'UNAUTHORIZED', message: 'authentication required', detail: null }
      : { code: 'DENIED', message: 'requested access to the resource is denied', detail: null }
  const body = JSON.stringify({ errors: [error] })
  if (challenge) res.setHeader('WWW-Authenticate', challenge)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('Docker-Distribution-API-Version', 'registry/2.0')
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}
