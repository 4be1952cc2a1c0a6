// Store commits made by one image push, read from the store's log.
import type { RunningServer } from './servers.js'

/** Not measurable until the app exposes the store log; NaN is left out of the table's medians. */
export async function commitsPerPush(_server: RunningServer, _repo: string): Promise<number> {
  return Number.NaN
}
