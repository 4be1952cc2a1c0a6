import type { LibraryCore } from './core.js'
import { JsonDocs } from './json-docs.js'
import { KeyedLock } from './keyed-lock.js'

/** One album: a title and the items in the order they were added. Stored as `albums/<id>.json`. */
export interface AlbumRecord {
  readonly id: string
  readonly title: string
  readonly items: readonly string[]
  readonly createdAt: string
  readonly createdBy: string
  readonly updatedAt: string
}

/** One share link, stored as `shares/<id>.json` where id is the hex sha256 of its token (the token itself is never stored). */
export interface ShareRecord {
  readonly id: string
  readonly album?: string
  readonly asset?: string
  readonly expiresAt?: string
  readonly createdBy: string
  readonly createdAt: string
}

/** What the album and share endpoints share: the library core, their documents, one lock for all their changes. */
export interface Gallery {
  readonly core: LibraryCore
  readonly albums: JsonDocs<AlbumRecord>
  readonly shares: JsonDocs<ShareRecord>
  /** Album and share changes run one at a time (per album id; shares under the key of what they share). */
  readonly lock: KeyedLock
  readonly now: () => number
  readonly publicUrl: string
}

export function createGallery(core: LibraryCore, now: () => number, publicUrl: string | undefined): Gallery {
  return {
    core,
    albums: new JsonDocs<AlbumRecord>(core.store, 'albums/'),
    shares: new JsonDocs<ShareRecord>(core.store, 'shares/'),
    lock: new KeyedLock(),
    now,
    publicUrl: (publicUrl ?? '').replace(/\/+$/, ''),
  }
}
