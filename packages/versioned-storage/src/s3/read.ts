import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { StorageError } from '../errors'
import type { S3Context } from './context'
import { asBackendFailure, isNotFound, isTransient } from './failures'
import { linkOf } from './links'

interface Opened {
  body: AsyncIterable<Uint8Array> & { destroy?: () => void }
  length: number
  etag: string | undefined
  metadata: Record<string, string> | undefined
}

async function get(ctx: S3Context, key: string, digest: string, start: number | undefined, end: number | undefined, etag?: string): Promise<Opened> {
  // Always an explicit first byte (never a suffix range: s3rver answers those wrongly).
  const Range = start === undefined ? undefined : `bytes=${start}-${end ?? ''}`
  try {
    const res = await ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key, Range, ...(etag ? { IfMatch: etag } : {}) }))
    return { body: res.Body as Opened['body'], length: res.ContentLength ?? 0, etag: res.ETag, metadata: res.Metadata }
  } catch (err) {
    if (isNotFound(err)) throw new StorageError('BLOB_UNKNOWN', `blob ${digest} is unknown`, { cause: err })
    throw err
  }
}

/**
 * Stream an object (or bytes [start, end] of it). A connection that breaks mid-body is picked up again from the
 * byte reached, pinned to the same ETag, up to `ctx.readRetries` times with a growing pause; the reader sees one
 * unbroken stream. The SDK's own retries cover the request, not a body already streaming. An unranged read of a
 * digest key that holds a link follows it (a ranged one is given the linked key by its caller, who sized the range).
 */
export async function readObject(ctx: S3Context, at: string, digest: string, range?: { start: number; end: number }): Promise<Readable> {
  let key = at
  let first = await get(ctx, key, digest, range?.start, range?.end)
  const link = range === undefined ? linkOf(ctx, first.metadata) : undefined
  if (link) {
    // a digest key holding a link (zero bytes): the blob is the object it names
    first.body.destroy?.()
    key = link.key
    first = await get(ctx, key, digest, undefined, undefined)
  }
  const from = range?.start ?? 0
  const last = from + first.length - 1
  async function* bytes(): AsyncGenerator<Uint8Array> {
    let pos = from
    let current = first
    for (let attempt = 0; ; ) {
      try {
        for await (const chunk of current.body) {
          pos += chunk.length
          yield chunk
        }
        if (pos > last) return
        throw Object.assign(new Error(`body of ${key} ended at byte ${pos}, expected ${last + 1}`), { name: 'ShortBody' })
      } catch (err) {
        if (!isTransient(err) || attempt++ >= ctx.readRetries) throw asBackendFailure(err, `S3 read of ${digest} at byte ${pos}`, { download: true })
        await sleep(100 * 2 ** attempt)
        current = await get(ctx, key, digest, pos, last, first.etag)
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark: 1024 * 1024 })
}
