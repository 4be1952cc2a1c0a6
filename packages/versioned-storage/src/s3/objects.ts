// Requests on one object by key: what every part of the driver shares.
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { S3Context } from './context'
import { isNotFound } from './failures'

/** An object's stored size and user metadata, or undefined when there is none. */
export async function headObject(ctx: S3Context, key: string): Promise<{ size: number; metadata: Record<string, string> | undefined } | undefined> {
  try {
    const res = await ctx.client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: key }))
    return { size: res.ContentLength ?? 0, metadata: res.Metadata }
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** The stored size of an object, or undefined when there is none. */
export async function headSize(ctx: S3Context, key: string): Promise<number | undefined> {
  return (await headObject(ctx, key))?.size
}

/** One PutObject of bytes held in memory (a sized buffer: no streamed aws-chunked framing). */
export async function putBytes(ctx: S3Context, key: string, bytes: Buffer, metadata?: Record<string, string>): Promise<void> {
  await ctx.client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ...(metadata ? { Metadata: metadata } : {}) }))
}

export async function deleteKey(ctx: S3Context, key: string): Promise<void> {
  await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }))
}
