import { dummyHash, type KdfParams, type PasswordHash } from './kdf.js'
import { keepAnAdmin } from './admins.js'
import type { FileChange, Model } from './model.js'
import type { Persistence } from './persist.js'
import type { Actor, AuthEvent } from './types.js'

/** What the feature modules (users, groups, grants, keys, tokens, sessions) share. */
export class Context {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly listeners = new Set<(event: AuthEvent) => void>()
  /** Same parameters as new hashes: verifying against it costs what a real check costs. */
  readonly dummy: PasswordHash

  constructor(
    readonly persist: Persistence,
    readonly model: Model,
    readonly kdf: KdfParams,
    readonly now: () => number,
    /** Reads look at the store's HEAD at most this often (ms); changes always do. */
    readonly refreshMs: number,
  ) {
    this.dummy = dummyHash(kdf)
  }

  /**
   * Run one change at a time: reload if the store moved, validate, commit, update memory. Anything
   * thrown before the commit leaves store and memory untouched.
   */
  mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.persist.refresh()
      return fn()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Before a read: pick up commits made by another instance on the same store. */
  fresh(): Promise<void> {
    return this.persist.refresh(this.refreshMs)
  }

  /** Commit `changes` as one commit (call inside `mutate`); refused with LAST_ADMIN if it would remove the last administrator. */
  async commit(changes: readonly FileChange[], by: string, message: string): Promise<void> {
    keepAnAdmin(this.model, changes)
    await this.persist.commit(changes, by, message)
  }

  isoNow(): string {
    return new Date(this.now()).toISOString()
  }

  on(listener: (event: AuthEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(event: AuthEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // a failing cache listener must not undo a committed change
      }
    }
  }
}

export function checkActor(actor: Actor): string {
  const by = actor?.by
  if (typeof by !== 'string' || by.length === 0 || by.length > 128 || /[\r\n]/.test(by)) {
    throw new TypeError('actor.by must be a non-empty one-line string')
  }
  return by
}
