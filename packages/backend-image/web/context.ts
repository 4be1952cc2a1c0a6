// What the item viewer walks with ← →: an ordered list of items that may be loaded lazily.
import type { Summary } from './api.js'

export interface ItemContext {
  /** Where the viewer returns on Esc. */
  readonly backHref: string
  /** The position of an item in the list, if known. */
  indexOf(id: string): number
  /** The item at a position (loads it when needed); undefined past the ends. */
  at(index: number): Promise<Summary | undefined>
  /** Called when an item was changed or removed so the list redraws. */
  changed(id: string, removed: boolean): void
  /** Item route for an id within this context. */
  hrefOf(id: string): string
}
