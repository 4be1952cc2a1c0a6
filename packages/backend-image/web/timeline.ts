// The timeline: the whole library by month, newest first, in the windowed grid. The months and their counts come
// from /api/timeline (100,000 items need no loading to size), any window of a month from
// /api/assets?month=&offset=&limit=, and at start the newest items (asked for by the HTML's preload before the
// module ran) cover the first months' first pages.
import { api, query, type Summary } from './api.js'
import type { ItemContext } from './context.js'
import { MONTHS_URL } from '../src/web-preload.js'
import { PAGE, WindowedGrid, type GridSection } from './grid.js'

export interface Month {
  readonly month: string
  readonly count: number
}

/** What the boot asked for before the session was known: the month counts and the newest items. */
export interface Early {
  readonly months: Promise<readonly Month[]>
  readonly newest: Promise<readonly Summary[]>
}


/** The newest items overall are the first page of each month in turn, as far as they reach. */
function seed(months: readonly Month[], newest: readonly Summary[]): GridSection[] {
  let i = 0
  let reaching = true
  return months.filter((m) => m.count > 0).map((m) => {
    const want = Math.min(m.count, PAGE)
    const page = reaching ? newest.slice(i, i + want) : []
    const fits = page.length === want && page.every((item) => item.takenAt.slice(0, 7) === m.month)
    // A month longer than a page holds the rest of the newest items itself: the next month's are not among them.
    reaching = fits && want === m.count
    i += want
    return { key: m.month, label: m.month, count: m.count, ...(fits ? { items: page } : {}) }
  })
}

export function timeline(open: (ctx: ItemContext, id: string) => void, empty: () => Node, early?: Early): WindowedGrid {
  let first = early
  return new WindowedGrid({
    label: 'Timeline',
    headings: true,
    backHref: '/',
    route: (id) => `/item/${id}`,
    open,
    empty,
    source: {
      async sections() {
        const fresh = async () => (await api<{ months: Month[] }>('GET', MONTHS_URL)).months
        const prefetched = first
        first = undefined
        if (!prefetched) return seed(await fresh(), [])
        return seed(await prefetched.months.catch(fresh), await prefetched.newest.catch(() => []))
      },
      window: async (month, offset, limit) => (await api<{ items: Summary[] }>('GET', `/api/assets${query({ month, offset, limit })}`)).items,
    },
  })
}
