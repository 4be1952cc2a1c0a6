import { randomBytes } from 'node:crypto'
import { digestHex, hexDigest } from '../digest'

/**
 * Where a driver's objects live in the bucket: `<prefix>sha256/<ab>/<hex>` (a blob's bytes, or a link to them),
 * `<prefix>staging/<time>-<random>` (a write of unknown digest in progress: its marker), `<prefix>data/<same name>`
 * (that write's bytes, kept there when linked), and resumable uploads under `<prefix>uploads/<id>/` (`data`: the
 * multipart key; `seg/<start>-<end>`: bytes [start, end) of the upload not yet in a part).
 */
export interface KeyLayout {
  /** The driver's whole share of the bucket. */
  readonly root: string
  readonly blobPrefix: string
  readonly stagingPrefix: string
  readonly dataPrefix: string
  readonly uploadsPrefix: string
  blob(digest: string): string
  /** Everything of one upload is under this prefix. */
  upload(id: string): string
  uploadData(id: string): string
  uploadSegment(id: string, start: number, end: number): string
  /** The upload id a key under `uploadsPrefix` belongs to. */
  uploadOf(key: string): string | undefined
  /** A fresh staging key; its time part lets a sweep tell abandoned writes from running ones. */
  staging(): string
  /** The data key of a staging key's write. */
  dataOf(staging: string): string
  /** The digest a blob key names, or undefined for anything else under the prefix. */
  digestOf(key: string): string | undefined
}

const BLOB_KEY = /sha256\/[a-f0-9]{2}\/([a-f0-9]{64})$/
const UPLOAD_ID = /^([0-9a-f-]{36})\//

export function keyLayout(prefix: string): KeyLayout {
  const blobPrefix = `${prefix}sha256/`
  const stagingPrefix = `${prefix}staging/`
  const dataPrefix = `${prefix}data/`
  const uploadsPrefix = `${prefix}uploads/`
  const upload = (id: string): string => `${uploadsPrefix}${id}/`
  return {
    root: prefix,
    blobPrefix,
    stagingPrefix,
    dataPrefix,
    uploadsPrefix,
    upload,
    uploadData: (id) => `${upload(id)}data`,
    uploadSegment: (id, start, end) => `${upload(id)}seg/${start}-${end}`,
    uploadOf: (key) => (key.startsWith(uploadsPrefix) ? UPLOAD_ID.exec(key.slice(uploadsPrefix.length))?.[1] : undefined),
    blob(digest) {
      const hex = digestHex(digest)
      return `${blobPrefix}${hex.slice(0, 2)}/${hex}`
    },
    staging: () => `${stagingPrefix}${Date.now()}-${randomBytes(8).toString('hex')}`,
    dataOf: (staging) => `${dataPrefix}${staging.slice(stagingPrefix.length)}`,
    digestOf(key) {
      if (!key.startsWith(blobPrefix)) return undefined
      const m = BLOB_KEY.exec(key)
      return m && key.length === blobPrefix.length + 67 ? hexDigest(m[1]!) : undefined
    },
  }
}
