import { Readable } from 'node:stream'
import type { Change } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'
import type { AssetRecord } from './record.js'
import { recordPath } from './layout.js'
import { summaryMeta } from './summary.js'
import { KeyedLock } from './keyed-lock.js'

/** Reading and writing item records; changes to one item are serialised (read, modify, commit). */
export class Records {
  private readonly locks = new KeyedLock()

  constructor(private readonly store: LibraryStore) {}

  async read(id: string): Promise<AssetRecord | undefined> {
    const entry = await this.store.get(recordPath(id))
    if (!entry) return undefined
    const chunks: Buffer[] = []
    for await (const chunk of await this.store.getBlob(entry.digest)) chunks.push(chunk as Buffer)
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as AssetRecord
  }

  /** The put of a record (its JSON as a blob, the summary as entry meta), to go into a commit. */
  async put(record: AssetRecord): Promise<Change> {
    const blob = await this.store.putBlob(Readable.from([Buffer.from(JSON.stringify(record))]))
    return { op: 'put', path: recordPath(record.id), digest: blob.digest, size: blob.size, meta: summaryMeta(record) }
  }

  /**
   * Change one existing record under its lock: `change` gets the current record and returns the new one plus
   * any other changes for the same commit (or undefined to leave it). Returns what was committed.
   */
  update(
    id: string,
    meta: { author: string; message: string },
    change: (current: AssetRecord) => Promise<{ record: AssetRecord; extra?: Change[] } | undefined> | { record: AssetRecord; extra?: Change[] } | undefined,
  ): Promise<AssetRecord | undefined> {
    return this.locked(id, async () => {
      const current = await this.read(id)
      if (!current) return undefined
      const next = await change(current)
      if (!next) return current
      await this.store.commit([await this.put(next.record), ...(next.extra ?? [])], meta)
      return next.record
    })
  }

  locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn)
  }
}
