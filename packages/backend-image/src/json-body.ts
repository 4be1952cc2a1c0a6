import type { IncomingMessage } from 'node:http'
import { ImageError } from './errors.js'
import { mediaType } from './http.js'

/** A JSON request body of at most `maxBytes` (415 when not application/json, 413 when larger, 400 when not JSON). */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (mediaType(req) !== 'application/json') throw new ImageError('CONTENT_TYPE_UNSUPPORTED', 'send application/json')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new ImageError('BODY_TOO_LARGE', `the body is larger than ${maxBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new ImageError('BAD_REQUEST', 'the body is not valid JSON')
  }
}

/** The body as a plain JSON object, or `invalid(message)` is thrown. */
export function asObject(body: unknown, invalid: (message: string) => Error): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object')
  return body as Record<string, unknown>
}
