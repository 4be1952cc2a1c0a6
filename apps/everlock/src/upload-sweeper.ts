import type { Stores } from '@everlock/versioned-storage'
import type { Log } from './log.js'

const MINUTE = 60_000
/** Uploads untouched this long are removed (the registries cancel their sessions after the same time). */
export const UPLOAD_TTL_MS = 24 * 60 * MINUTE

export interface UploadSweeperOptions {
  readonly stores: Pick<Stores, 'list' | 'open'>
  readonly log: Log
  /** Default 10 min. */
  readonly intervalMs?: number
  /** Default UPLOAD_TTL_MS. */
  readonly maxAgeMs?: number
  /** Orphan files younger than this are spared (an upload may be being created); default 10 min. */
  readonly graceMs?: number
}

export interface UploadSweeper {
  /** One pass over every store now (a pass already running is awaited instead). */
  sweep(): Promise<void>
  /** Stop the schedule and wait for a running pass, before the stores close. */
  close(): Promise<void>
}

/**
 * Sweeps every store's resumable uploads on a schedule: uploads untouched past their expiry, records whose
 * bytes are gone, orphan files a crash left without a record, and bytes a crash left past an upload's
 * acknowledged size. Each pass that frees anything says so.
 */
export function startUploadSweeper(options: UploadSweeperOptions): UploadSweeper {
  const { stores, log } = options
  const maxAgeMs = options.maxAgeMs ?? UPLOAD_TTL_MS
  const graceMs = options.graceMs ?? 10 * MINUTE
  let running: Promise<void> | undefined
  let closed = false

  async function pass(): Promise<void> {
    for (const name of await stores.list()) {
      if (closed) return
      try {
        const store = await stores.open(name)
        const swept = await store.uploads.sweep({ maxAgeMs, graceMs })
        if (swept.uploads + swept.orphans + swept.truncated > 0) {
          log.info(`uploads swept in store ${name}`, { expired: swept.uploads, orphans: swept.orphans, truncated: swept.truncated, freedBytes: swept.bytes })
        }
      } catch (err) {
        if (!closed) log.error(`upload sweep of store ${name} failed`, { error: err instanceof Error ? err.message : String(err) })
      }
    }
  }

  const sweep = (): Promise<void> => (running ??= pass().finally(() => (running = undefined)))
  const timer = setInterval(() => void sweep(), options.intervalMs ?? 10 * MINUTE)
  timer.unref()

  return {
    sweep,
    async close() {
      closed = true
      clearInterval(timer)
      await running
    },
  }
}
