import type { Level } from 'level'
import type { SideState } from './types'
import { END, sideKey } from './keys'

/** Durable, unversioned key/value state kept beside a store's tree, in the same LevelDB. */
export function createSideState(db: Level<string, string>): SideState {
  return {
    async get(key) {
      return db.get(sideKey(key))
    },
    async put(key, value) {
      await db.put(sideKey(key), value, { sync: true })
    },
    async del(key) {
      await db.del(sideKey(key), { sync: true })
    },
    async batch(ops) {
      await db.batch(
        ops.map((op) =>
          op.value === undefined
            ? { type: 'del' as const, key: sideKey(op.key) }
            : { type: 'put' as const, key: sideKey(op.key), value: op.value },
        ),
        { sync: true },
      )
    },
    async *entries(prefix, opts = {}) {
      const lower = opts.after !== undefined && opts.after >= prefix ? { gt: sideKey(opts.after) } : { gte: sideKey(prefix) }
      const it = db.iterator({ ...lower, lt: sideKey(prefix) + END, limit: opts.limit ?? -1 })
      try {
        for await (const [key, value] of it) yield [key.slice(2), value] as [string, string]
      } finally {
        await it.close()
      }
    },
  }
}
