import type { IncomingMessage, ServerResponse } from 'node:http'
import { OciError } from './errors'

export const API_VERSION_HEADER = 'Docker-Distribution-API-Version'

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers })
  res.end()
}

/** 304: the validators and caching headers of the 200 it stands for, no body (RFC 9110 §15.4.5). */
export function sendNotModified(res: ServerResponse, headers: Record<string, string | number>): void {
  const { ETag, 'Cache-Control': cache, 'Docker-Content-Digest': digest } = headers
  res.writeHead(304, { ...(ETag !== undefined ? { ETag } : {}), ...(cache !== undefined ? { 'Cache-Control': cache } : {}), ...(digest !== undefined ? { 'Docker-Content-Digest': digest } : {}) })
  res.end()
}

export function sendError(res: ServerResponse, err: OciError, method: string | undefined): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify({ errors: [{ code: err.code, message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }] })
  res.writeHead(err.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...err.headers })
  res.end(method === 'HEAD' ? undefined : body)
}

/** Read a small body (manifests) with a hard limit; answers 413 SIZE_INVALID past it. */
export async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

const tooLarge = (limit: number) => new OciError(413, 'SIZE_INVALID', `manifest exceeds the ${limit}-byte limit`)

/** A non-negative page size from `n`; absent or unreadable values fall back to the default. */
export function pageSize(raw: string | null, fallback: number, max: number): number {
  if (raw === null || !/^\d{1,9}$/.test(raw)) return fallback
  return Math.min(Number(raw), max)
}

/** Content-Length of a request, when it is a plain non-negative integer. */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length']
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
}
