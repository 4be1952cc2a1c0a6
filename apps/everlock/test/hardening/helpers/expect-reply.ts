// Assertions on one registry reply: its status among the allowed ones, and (when the reply has a body)
// every OCI error code among the allowed ones. Failures throw with the request named.
import { errorCodes, type Reply } from './http.js'

/** The error codes of the OCI distribution spec, plus the few distribution also uses. */
export const SPEC_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  'TAG_INVALID',
  'RANGE_INVALID',
  'PAGINATION_NUMBER_INVALID',
] as const

export class Counter {
  requests = 0
}

export function expectReply(what: string, reply: Reply, statuses: readonly number[], codes?: readonly string[], method = ''): void {
  if (reply.status >= 500) throw new Error(`${what}: server error ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`)
  if (!statuses.includes(reply.status)) {
    throw new Error(`${what}: status ${reply.status}, expected ${statuses.join('|')}; body ${reply.body.toString('utf8').slice(0, 300)}`)
  }
  if (reply.status < 400 || method === 'HEAD' || !codes) return
  const got = errorCodes(reply)
  if (got.length === 0) throw new Error(`${what}: ${reply.status} without the spec's error JSON: ${reply.body.toString('utf8').slice(0, 200)}`)
  const unexpected = got.filter((c) => !codes.includes(c))
  if (unexpected.length > 0) throw new Error(`${what}: ${reply.status} codes ${got.join(',')}, expected one of ${codes.join(',')}`)
}
