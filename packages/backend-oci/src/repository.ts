import type { Entry } from '@everlock/versioned-storage'
import type { RegistryStore } from './types'
import { blobLink, catalogPath, manifestPath, stagedLink, stagedLinkPrefix, tagPath, tagsPrefix } from './layout'
import { hexOf, isSha256 } from './names'

/** Read-side questions about one repository, answered from the store's tree and staged links. */
export class Repository {
  constructor(
    private readonly store: RegistryStore,
    readonly name: string,
  ) {}

  /** The size of a blob the repository may see (committed link or staged link), or undefined. */
  async blobSize(digest: string): Promise<number | undefined> {
    if (!isSha256(digest)) return undefined
    const linked = await this.store.get(blobLink(this.name, digest))
    if (linked) return linked.size
    const staged = await this.store.state.get(stagedLink(this.name, digest))
    return staged === undefined ? undefined : Number(staged)
  }

  async isStaged(digest: string): Promise<boolean> {
    return (await this.store.state.get(stagedLink(this.name, digest))) !== undefined
  }

  async isCommittedLink(digest: string): Promise<boolean> {
    return (await this.store.get(blobLink(this.name, digest))) !== undefined
  }

  /** Make a blob visible to this repository now, without a commit (it is committed with the next manifest). */
  async stage(digest: string, size: number): Promise<void> {
    await this.store.state.put(stagedLink(this.name, digest), String(size))
  }

  async unstage(digests: readonly string[]): Promise<void> {
    if (digests.length) await this.store.state.batch(digests.map((d) => ({ key: stagedLink(this.name, d) })))
  }

  async manifest(digest: string): Promise<Entry | undefined> {
    return isSha256(digest) ? this.store.get(manifestPath(this.name, digest)) : undefined
  }

  /** The manifest digest a tag points at. */
  async tag(tag: string): Promise<string | undefined> {
    const entry = await this.store.get(tagPath(this.name, tag))
    return entry?.meta?.manifest
  }

  async exists(): Promise<boolean> {
    if (await this.store.get(catalogPath(this.name))) return true
    for await (const _ of this.store.state.entries(stagedLinkPrefix(this.name), { limit: 1 })) return true
    return false
  }

  async *tags(after?: string): AsyncIterable<string> {
    const prefix = tagsPrefix(this.name)
    for await (const [path] of this.store.list(prefix, after !== undefined ? { after: prefix + after } : {})) {
      yield path.slice(prefix.length)
    }
  }

  /** Tags that point at a manifest digest. */
  async tagsOf(digest: string): Promise<string[]> {
    const found: string[] = []
    const prefix = tagsPrefix(this.name)
    for await (const [path, entry] of this.store.list(prefix)) {
      if (entry.meta?.manifest === digest) found.push(path.slice(prefix.length))
    }
    return found
  }
}

export { hexOf }
