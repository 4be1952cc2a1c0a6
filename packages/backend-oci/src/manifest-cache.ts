/**
 * Manifest bodies by digest, most recently used kept, bounded in total bytes. Content-addressed, so an entry is
 * never stale; only what the tree says (tags, which repository has which manifest) is looked up on each request.
 */
export class ManifestCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  get(digest: string): Buffer | undefined {
    const body = this.entries.get(digest)
    if (body) {
      this.entries.delete(digest)
      this.entries.set(digest, body)
    }
    return body
  }

  set(digest: string, body: Buffer): void {
    if (body.length > this.maxBytes / 8 || this.entries.has(digest)) return
    this.entries.set(digest, body)
    this.bytes += body.length
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(key)
      this.bytes -= value.length
    }
  }
}
