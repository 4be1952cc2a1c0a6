import type { Level } from 'level'
import type { SideState } from './types'
import { END, lowerBound, sideKey } from './keys'

/** Wrappers that reject with STORE_CLOSED once the store is closed. */
export interface Guards {
  guard<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R>
  guardIter<A extends unknown[], T>(fn: (...args: A) => AsyncIterable<T>): (...args: A) => AsyncIterable<T>
}

/** Durable, unversioned key/value state kept beside a store's tree, in the same LevelDB. */
export function createSideState(db: Level<string, string>, { guard, guardIter }: Guards): SideState {
  return {
    get: guard(async (key: string) => db.get(sideKey(key))),
    put: guard(async (key: string, value: string) => {
      await db.put(sideKey(key), value, { sync: true })
    }),
    del: guard(async (key: string) => {
      await db.del(sideKey(key), { sync: true })
    }),
    batch: guard(async (ops: ReadonlyArray<{ key: string; value?: string }>) => {
      await db.batch(
        ops.map((op) =>
          op.value === undefined
            ? { type: 'del' as const, key: sideKey(op.key) }
            : { type: 'put' as const, key: sideKey(op.key), value: op.value },
        ),
        { sync: true },
      )
    }),
    entries: guardIter(async function* (prefix: string, opts: { after?: string; limit?: number } = {}) {
      const it = db.iterator({ ...lowerBound('s!', prefix, opts.after), lt: sideKey(prefix) + END, limit: opts.limit ?? -1 })
      try {
        for await (const [key, value] of it) yield [key.slice(2), value] as [string, string]
      } finally {
        await it.close()
      }
    }),
  }
}
