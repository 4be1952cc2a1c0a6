import { Readable } from 'node:stream'
import { FOLDERS, type FileChange, type Model } from './model.js'

/**
 * The part of an `@everlock/versioned-storage` Store that auth-grants uses (declared here, by the
 * consumer; a versioned-storage `Store` satisfies it).
 */
export interface SystemStore {
  putBlob(body: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number }>
  getBlob(digest: string): Promise<AsyncIterable<unknown>>
  list(prefix: string, opts?: { at?: string }): AsyncIterable<[string, { digest: string }]>
  commit(
    changes: ReadonlyArray<
      | { op: 'put'; path: string; digest: string; size: number; meta?: Record<string, string> }
      | { op: 'delete'; path: string }
    >,
    meta: { author: string; message: string },
  ): Promise<{ id: string }>
  head(): Promise<{ id: string } | undefined>
  readonly state: {
    get(key: string): Promise<string | undefined>
    put(key: string, value: string): Promise<void>
    del(key: string): Promise<void>
    batch(ops: ReadonlyArray<{ key: string; value?: string }>): Promise<void>
    entries(prefix: string): AsyncIterable<[string, string]>
  }
}

async function readJson(store: SystemStore, digest: string): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of await store.getBlob(digest)) chunks.push(Buffer.from(chunk as Uint8Array))
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/** Keeps the in-memory model and the store's tree in step. */
export class Persistence {
  /** HEAD the model reflects; when the store moves on (another process/instance), reload first. */
  private seen: string | undefined

  constructor(
    readonly store: SystemStore,
    readonly model: Model,
  ) {}

  /** (Re)read every record from the tree at HEAD. */
  private loading: Promise<void> | undefined

  /** (Re)read every record from the tree at HEAD; memory is swapped in one synchronous step. */
  async load(): Promise<void> {
    const head = await this.store.head()
    const records: FileChange[] = []
    for (const folder of FOLDERS) {
      for await (const [path, entry] of this.store.list(folder, head ? { at: head.id } : {})) {
        if (!path.endsWith('.json')) continue
        records.push({ path, value: (await readJson(this.store, entry.digest)) as FileChange['value'] })
      }
    }
    this.model.clear()
    for (const record of records) this.model.apply(record)
    this.seen = head?.id
  }

  private checkedAt = 0

  /**
   * Reload when someone else (another Auth on the same store) committed since we last looked. With
   * `maxAgeMs`, skip the HEAD lookup if one was done that recently (reads on hot paths).
   */
  async refresh(maxAgeMs = 0, now = Date.now()): Promise<void> {
    if (this.loading) return this.loading
    if (maxAgeMs > 0 && now - this.checkedAt < maxAgeMs) return
    this.checkedAt = now
    const head = await this.store.head()
    if (head?.id === this.seen) return
    this.loading ??= this.load().finally(() => {
      this.loading = undefined
    })
    return this.loading
  }

  /** Write the files as one commit, then apply them to memory. */
  async commit(changes: readonly FileChange[], author: string, message: string): Promise<void> {
    if (changes.length === 0) return
    const storeChanges = []
    for (const change of changes) {
      if (change.value === undefined) {
        storeChanges.push({ op: 'delete' as const, path: change.path })
      } else {
        const bytes = Buffer.from(`${JSON.stringify(change.value, null, 2)}\n`, 'utf8')
        const blob = await this.store.putBlob(Readable.from([bytes]))
        storeChanges.push({ op: 'put' as const, path: change.path, digest: blob.digest, size: blob.size, meta: { 'content-type': 'application/json' } })
      }
    }
    const commit = await this.store.commit(storeChanges, { author, message })
    for (const change of changes) this.model.apply(change)
    this.seen = commit.id
  }
}
