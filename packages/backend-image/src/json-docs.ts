import { Readable } from 'node:stream'
import type { Change } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'

/**
 * Small JSON documents kept in the store under one prefix (albums, share links). Parsed documents are kept by
 * blob digest, so listing re-reads only what changed.
 */
export class JsonDocs<T> {
  private readonly parsed = new Map<string, T>()

  constructor(
    private readonly store: LibraryStore,
    readonly prefix: string,
  ) {}

  path(id: string): string {
    return `${this.prefix}${id}.json`
  }

  async get(id: string): Promise<T | undefined> {
    const entry = await this.store.get(this.path(id))
    return entry ? this.load(entry.digest) : undefined
  }

  async list(): Promise<T[]> {
    const out: T[] = []
    const live = new Set<string>()
    for await (const [path, entry] of this.store.list(this.prefix)) {
      if (!path.endsWith('.json')) continue
      live.add(entry.digest)
      out.push(await this.load(entry.digest))
    }
    for (const digest of this.parsed.keys()) if (!live.has(digest)) this.parsed.delete(digest)
    return out
  }

  /** The put of a document, to go into a commit. */
  async put(id: string, doc: T): Promise<Change> {
    const blob = await this.store.putBlob(Readable.from([Buffer.from(JSON.stringify(doc))]))
    this.parsed.set(blob.digest, doc)
    return { op: 'put', path: this.path(id), digest: blob.digest, size: blob.size, meta: { mediaType: 'application/json' } }
  }

  delete(id: string): Change {
    return { op: 'delete', path: this.path(id) }
  }

  private async load(digest: string): Promise<T> {
    const known = this.parsed.get(digest)
    if (known) return known
    const chunks: Buffer[] = []
    for await (const chunk of await this.store.getBlob(digest)) chunks.push(chunk as Buffer)
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T
    this.parsed.set(digest, doc)
    return doc
  }
}
