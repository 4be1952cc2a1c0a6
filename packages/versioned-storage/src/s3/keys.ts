import { randomBytes } from 'node:crypto'
import { digestHex, hexDigest } from '../digest'

/** Where a driver's objects live in the bucket: `<prefix>sha256/<ab>/<hex>` and `<prefix>staging/<time>-<random>`. */
export interface KeyLayout {
  /** The driver's whole share of the bucket. */
  readonly root: string
  readonly blobPrefix: string
  readonly stagingPrefix: string
  blob(digest: string): string
  /** A fresh staging key; its time part lets a sweep tell abandoned writes from running ones. */
  staging(): string
  /** The digest a blob key names, or undefined for anything else under the prefix. */
  digestOf(key: string): string | undefined
}

const BLOB_KEY = /sha256\/[a-f0-9]{2}\/([a-f0-9]{64})$/

export function keyLayout(prefix: string): KeyLayout {
  const blobPrefix = `${prefix}sha256/`
  const stagingPrefix = `${prefix}staging/`
  return {
    root: prefix,
    blobPrefix,
    stagingPrefix,
    blob(digest) {
      const hex = digestHex(digest)
      return `${blobPrefix}${hex.slice(0, 2)}/${hex}`
    },
    staging: () => `${stagingPrefix}${Date.now()}-${randomBytes(8).toString('hex')}`,
    digestOf(key) {
      if (!key.startsWith(blobPrefix)) return undefined
      const m = BLOB_KEY.exec(key)
      return m && key.length === blobPrefix.length + 67 ? hexDigest(m[1]!) : undefined
    },
  }
}
