import { OciError, uploadUnknown } from './errors'
import { UPLOAD_SESSION_PREFIX, uploadSessionKey, uploadsByUserPrefix, uploadByUserKey } from './layout'
import type { RegistryStore } from './types'

const ID = /^[0-9a-f-]{36}$/
/** Store uploads the registry starts carry `by: 'oci'`, so a sweep can tell its own from other users' of the store. */
export const UPLOAD_OWNER = 'oci'
const RETRY_AFTER_S = 60

/** An upload session: which repository it pushes to, and who opened it (absent on sessions made before caps). */
export interface Session {
  name: string
  user?: string
}

/**
 * The registry's upload sessions over a store's resumable uploads: open (within a per-user cap), look up,
 * close, expire. A session is a side-state record (and, with its user, an index entry for the cap) beside the
 * store upload that holds its bytes.
 */
export class UploadSessions {
  private readonly opening = new Map<string, Promise<unknown>>()

  constructor(
    private readonly store: RegistryStore,
    private readonly maxPerUser: number,
  ) {}

  /** Start a session for `user` on repository `name`; 429 TOOMANYREQUESTS past the user's cap. */
  async open(name: string, user: string): Promise<string> {
    // One open at a time per user, so concurrent POSTs cannot all pass the count.
    const before = this.opening.get(user) ?? Promise.resolve()
    const run = before.then(() => this.openNow(name, user))
    const settled = run.catch(() => undefined)
    this.opening.set(user, settled)
    void settled.then(() => {
      if (this.opening.get(user) === settled) this.opening.delete(user)
    })
    return run
  }

  private async openNow(name: string, user: string): Promise<string> {
    const open = await this.countFor(user, this.maxPerUser)
    if (open >= this.maxPerUser) {
      throw new OciError(
        429,
        'TOOMANYREQUESTS',
        `too many open upload sessions: ${user} has ${open}, the limit is ${this.maxPerUser}; finish or cancel some (DELETE the upload URL), or wait for abandoned ones to expire`,
        { limit: this.maxPerUser },
        { 'Retry-After': String(RETRY_AFTER_S) },
      )
    }
    const upload = await this.store.uploads.create({ meta: { by: UPLOAD_OWNER, repository: name, user } })
    await this.store.state.batch([
      { key: uploadSessionKey(upload.id), value: JSON.stringify({ name, user } satisfies Session) },
      { key: uploadByUserKey(user, upload.id), value: '' },
    ])
    return upload.id
  }

  /** Open sessions of a user, counted up to `limit`. */
  async countFor(user: string, limit = Infinity): Promise<number> {
    let n = 0
    for await (const _ of this.store.state.entries(uploadsByUserPrefix(user), Number.isFinite(limit) ? { limit } : {})) n++
    return n
  }

  /** The session `id` of repository `name`, or BLOB_UPLOAD_UNKNOWN. */
  async get(name: string, id: string): Promise<Session> {
    if (!ID.test(id)) throw uploadUnknown()
    const raw = await this.store.state.get(uploadSessionKey(id))
    const session = raw ? (JSON.parse(raw) as Session) : undefined
    if (!session || session.name !== name) throw uploadUnknown()
    return session
  }

  /** Forget a session whose upload was completed or cancelled. */
  async forget(id: string, session: Session): Promise<void> {
    await this.store.state.batch([{ key: uploadSessionKey(id) }, ...(session.user !== undefined ? [{ key: uploadByUserKey(session.user, id) }] : [])])
  }

  /**
   * Cancel sessions untouched for longer than ttlMs, forget sessions whose upload is gone, and cancel this
   * registry's uploads that never got a session record (a crash between the two writes) once older than graceMs.
   */
  async expire(ttlMs: number, graceMs: number): Promise<{ sessions: number; unrecorded: number }> {
    const now = Date.now()
    const known = new Set<string>()
    let sessions = 0
    for await (const [key, raw] of this.store.state.entries(UPLOAD_SESSION_PREFIX)) {
      const id = key.slice(UPLOAD_SESSION_PREFIX.length)
      const status = await this.store.uploads.status(id)
      if (status && Date.parse(status.updatedAt) >= now - ttlMs) {
        known.add(id)
        continue
      }
      await this.store.uploads.cancel(id)
      await this.forget(id, JSON.parse(raw) as Session)
      sessions++
    }
    let unrecorded = 0
    for await (const upload of this.store.uploads.list()) {
      if (upload.meta?.by !== UPLOAD_OWNER || known.has(upload.id) || Date.parse(upload.startedAt) >= now - graceMs) continue
      if (await this.store.state.get(uploadSessionKey(upload.id))) continue // opened while this sweep ran
      await this.store.uploads.cancel(upload.id)
      unrecorded++
    }
    return { sessions, unrecorded }
  }
}
