// The one windowed grid of thumbnails behind every list of items: the timeline (months with headers), search
// results, an album, a share link. Positions come from counts (a month's, an album's) or from the pages read so far
// (search), so the scroll height needs no items; only the rows near the viewport exist in the DOM, headers
// included, and each frame builds at most a budget's worth of rows, so a month of 100,000 items costs a frame what
// a month of ten does. Pages are fetched as the window reaches them and the ones far from it are forgotten.
import { ApiError, type Page, type Summary } from './api.js'
import type { ItemContext } from './context.js'
import { h, monthLabel } from './dom.js'
import { tile, wake } from './tiles.js'

/** A run of items, with a header when it has a label (a month). */
export interface GridSection {
  readonly key: string
  readonly label?: string
  readonly count: number
  /** Its first items when already at hand (the album read with its first page, the newest items at start). */
  readonly items?: readonly Summary[]
}

export type GridSource =
  /** Sections with counts known up front, any window of any section in one request (timeline, album, share). */
  | { readonly sections: () => Promise<readonly GridSection[]>; readonly window: (section: string, offset: number, limit: number) => Promise<readonly Summary[]> }
  /** One list of unknown length, read page after page by cursor (search results). */
  | { readonly next: (cursor: string | undefined, limit: number) => Promise<Page> }

export interface GridOptions {
  /** The list's accessible name. */
  readonly label: string
  readonly backHref: string
  readonly source: GridSource
  readonly route: (id: string) => string
  readonly open: (ctx: ItemContext, id: string) => void
  /** Shown instead of the grid when there is nothing to show. */
  readonly empty: () => Node
  /** Its sections have headings (the timeline's months). */
  readonly headings?: boolean
}

interface Section extends GridSection {
  count: number
  top: number
  /** Global position of its first item. */
  first: number
  rows: number
  header: number
}

interface Rendered {
  readonly el: HTMLElement
  readonly section: number
  /** -1: the section's header. */
  readonly row: number
  filled: boolean
}

/** Page `p` of the section holds fewer items than its count promised (items gone since it was counted): the section
 * ends there. Whether its count changed. */
function endsEarly(s: { count: number }, p: number, got: readonly Summary[]): boolean {
  if (got.length >= PAGE || p * PAGE + got.length >= s.count) return false
  s.count = p * PAGE + got.length
  return true
}

/** Set `key` as the most recently used entry of `map` (insertion order: the first is the oldest), forgetting the
 * oldest beyond `limit`. */
function keepRecent<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > limit) map.delete(map.keys().next().value as K)
}

export const PAGE = 200
const HEADER = 52
const GAP = 4
/** Pages kept in memory, whatever the library's size (a page is a few screens). */
const KEEP_PAGES = 40
/** Positions remembered for the viewer's ← → (the most recent ones). */
const KEEP_POSITIONS = 10_000
/** Time per frame for building the rows around the screen; the screen's own are always built. */
const BUILD_MS = 6
const FETCH_EVERY_MS = 120
/** Pages are fetched for the screen and this many screens above and below it. */
const FETCH_EXTRA = 0.25
/** Thumbnails on screen load once the scrolling has paused this long: a fling does not ask for the screens it
 * flies past (each would be a request started and cancelled, on the main thread). */
const SCROLL_IDLE_MS = 100
/** …and those of the rows around the screen once the screen's own have had this head start. */
const WAKE_MS = 400

export class WindowedGrid implements ItemContext {
  readonly el: HTMLElement
  readonly backHref: string
  private readonly canvas: HTMLElement
  private readonly status: HTMLElement
  private readonly headers: boolean
  private sections: Section[] = []
  private total = 0
  private height = 0
  private showingEmpty = false
  private cols = 4
  private size = 180
  private width = 0
  private pages = new Map<string, readonly Summary[]>()
  private loading = new Map<string, Promise<void>>()
  /** Open-ended lists: the cursor of each page (index = page), and whether the end was reached. */
  private cursors: Array<string | undefined> = [undefined]
  private done = true
  private positions = new Map<string, number>()
  private rendered = new Map<string, Rendered>()
  private generation = 0
  private ready: Promise<void> = Promise.resolve()
  private frame = 0
  private lastFetch = 0
  private lastScroll = -Infinity
  /** Where the canvas starts in the document (measured on layout, so a frame need not force one). */
  private origin = 0
  private settle = 0
  private idle = 0
  private waking = 0
  private stopped = false
  private readonly onScroll = () => {
    this.lastScroll = performance.now()
    this.schedule()
  }
  private readonly onResize = () => this.layout()

  constructor(private readonly opts: GridOptions) {
    this.backHref = opts.backHref
    this.headers = !!opts.headings
    // With month headers each row is its own list (a heading may not sit inside one); without, one list of all.
    this.canvas = h('div.canvas', this.headers ? {} : { role: 'list', 'aria-label': opts.label })
    this.status = h('div.more', { 'aria-live': 'polite' })
    this.el = h('section.windowed', this.headers ? { 'aria-label': opts.label } : {}, this.canvas, this.status)
    this.canvas.addEventListener('click', (e) => this.click(e))
    this.canvas.addEventListener('keydown', (e) => this.key(e))
  }

  /** Start listening and load the first sections. */
  start(): Promise<void> {
    window.addEventListener('scroll', this.onScroll, { passive: true })
    window.addEventListener('resize', this.onResize)
    return this.reload()
  }

  stop(): void {
    this.stopped = true
    window.removeEventListener('scroll', this.onScroll)
    window.removeEventListener('resize', this.onResize)
    cancelAnimationFrame(this.frame)
    clearTimeout(this.settle)
    clearTimeout(this.idle)
    clearTimeout(this.waking)
  }

  get length(): number {
    return this.total
  }

  /** Read the counts again (after uploads, deletes, edits) and redraw from fresh pages, keeping the scroll position. */
  reload(): Promise<void> {
    const generation = ++this.generation
    this.ready = this.fetchSections().then(async (fetched) => {
      if (generation !== this.generation) return
      const sections: Section[] = fetched.map((s) => ({ ...s, top: 0, first: 0, rows: 0, header: s.label !== undefined ? HEADER : 0 }))
      const pages = new Map<string, readonly Summary[]>()
      sections.forEach((s, i) => s.items && pages.set(`${i}:0`, s.items.slice(0, PAGE)))
      // A list already showing keeps showing until the pages its screen needs under the new counts are here, then
      // changes in one step: an upload or a delete never turns the screen into placeholders for a round trip.
      if (this.sections.length > 0) await this.screenPages(sections, pages)
      if (generation !== this.generation) return
      this.pages = pages
      this.loading.clear()
      this.positions.clear()
      this.sections = sections
      this.layout(true)
    }).catch((err: unknown) => {
      if (generation !== this.generation) return
      this.status.replaceChildren(h('p.error', { role: 'alert' }, `This list cannot be loaded (${err instanceof ApiError ? err.code : 'network error'}).`))
      this.showingEmpty = false
    })
    return this.ready
  }

  /** Fetch into `pages` the pages wanted now when the list is `sections`, the same ones a settled scroll fetches,
   * so no row near the screen turns into placeholders (windowed sources only; a page that fails is left to
   * loadPage, which asks again). */
  private async screenPages(sections: Section[], pages: Map<string, readonly Summary[]>): Promise<void> {
    const source = this.opts.source
    if (!('sections' in source)) return
    this.positionSections(sections)
    await Promise.all([...this.wantedPages(sections)].filter(([key]) => !pages.has(key)).map(async ([key, [i, p]]) => {
      const got = await source.window(sections[i]!.key, p * PAGE, PAGE).catch(() => undefined)
      if (!got) return
      pages.set(key, got)
      endsEarly(sections[i]!, p, got) // positions are measured again when the list changes over
    }))
  }

  /** The pages of the rows on and near the screen (FETCH_EXTRA), by key, of the list or of `sections`. */
  private wantedPages(sections: readonly Section[] = this.sections): Map<string, [number, number]> {
    const wanted = new Map<string, [number, number]>()
    for (const [, i, row] of this.rows(...this.range(FETCH_EXTRA), sections)) for (const p of this.pagesOfRow(sections[i]!, row)) wanted.set(`${i}:${p}`, [i, p])
    return wanted
  }

  /** The pages a row's items are on (none for a header). */
  private pagesOfRow(s: Section, row: number): number[] {
    if (row < 0) return []
    const a = Math.floor((row * this.cols) / PAGE)
    const b = Math.floor((Math.min(s.count, (row + 1) * this.cols) - 1) / PAGE)
    return Array.from({ length: b - a + 1 }, (_, k) => a + k)
  }

  private async fetchSections(): Promise<GridSection[]> {
    const source = this.opts.source
    if ('sections' in source) return (await source.sections()).filter((s) => s.count > 0)
    this.cursors = [undefined]
    this.done = false
    const first = await source.next(undefined, PAGE)
    this.cursors.push(first.nextCursor)
    this.done = !first.nextCursor
    return [{ key: 'all', count: first.items.length, items: first.items }]
  }

  /** Columns from the width; `fresh`: the contents changed, so every row is drawn again. The screen's rows are
   * drawn at once (in this task), so what the list shows and what it counts never disagree. */
  private layout(fresh = false): void {
    const width = this.canvas.clientWidth || document.documentElement.clientWidth
    this.origin = this.canvas.getBoundingClientRect().top + window.scrollY
    if (fresh || width !== this.width) {
      this.width = width
      this.cols = Math.max(3, Math.floor((width + GAP) / ((width < 640 ? 110 : 190) + GAP)))
      this.size = (width - GAP * (this.cols - 1)) / this.cols
      this.clearRows()
    }
    this.measure()
    this.render()
    this.schedule(true)
  }

  /** Positions of the sections from their counts: the only work proportional to the number of sections. */
  private positionSections(sections: Section[]): { total: number; height: number } {
    let top = 0
    let first = 0
    for (const s of sections) {
      s.top = top
      s.first = first
      s.rows = Math.ceil(s.count / this.cols)
      top += s.header + s.rows * (this.size + GAP)
      first += s.count
    }
    return { total: first, height: top }
  }

  /** Position the list's sections and size the canvas to them; the empty note where there is nothing. */
  private measure(): void {
    const { total, height } = this.positionSections(this.sections)
    this.total = total
    this.height = height
    this.canvas.style.height = `${Math.ceil(height)}px`
    const empty = this.total === 0 && this.done
    if (empty !== this.showingEmpty) this.status.replaceChildren(...(empty ? [this.opts.empty()] : []))
    this.showingEmpty = empty
  }

  private clearRows(): void {
    for (const r of this.rendered.values()) r.el.remove()
    this.rendered.clear()
  }

  /** Render in the next frame; `now`: also fetch at once rather than when scrolling settles down. */
  private schedule(now = false): void {
    if (this.stopped) return
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.render()
    })
    // Pages are fetched while scrolling at most every FETCH_EVERY_MS (what flies past is not asked for), and once
    // it stops.
    clearTimeout(this.settle)
    const wait = now ? 0 : Math.max(0, this.lastFetch + FETCH_EVERY_MS - performance.now())
    this.settle = window.setTimeout(() => this.fetchVisible(), wait)
  }

  /** The window of y (within the canvas) from `extra` screens above the viewport to `extra` below. */
  private range(extra: number): [number, number] {
    const y = window.scrollY - this.origin
    const vh = window.innerHeight
    return [y - vh * extra, y + vh * (1 + extra)]
  }

  /** The last section whose `field` is at most `value` (sections ascend in both). */
  private sectionAt(field: 'top' | 'first', value: number, sections: readonly Section[] = this.sections): number {
    let lo = 0
    let hi = sections.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (sections[mid]![field] <= value) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Rows in [y0, y1] as [key, section index, row (-1: the header), top], of the list or of `sections`. */
  private rows(y0: number, y1: number, sections: readonly Section[] = this.sections): Array<[string, number, number, number]> {
    const out: Array<[string, number, number, number]> = []
    const rowH = this.size + GAP
    for (let i = sections.length ? this.sectionAt('top', Math.max(0, y0), sections) : 0; i < sections.length; i++) {
      const s = sections[i]!
      if (s.top > y1) break
      if (s.header && s.top + s.header > y0) out.push([`${i}:h`, i, -1, s.top])
      const from = Math.max(0, Math.floor((y0 - s.top - s.header) / rowH))
      const to = Math.min(s.rows - 1, Math.floor((y1 - s.top - s.header) / rowH))
      for (let r = from; r <= to; r++) out.push([`${i}:${r}`, i, r, s.top + s.header + r * rowH])
    }
    return out
  }

  private render(): void {
    if (this.stopped) return
    const [v0, v1] = this.range(0)
    const [m0, m1] = this.range(0.5)
    const screen = this.rows(v0, v1)
    const around = this.rows(m0, m1)
    const keep = new Set(around.map(([k]) => k))
    const focused = document.activeElement?.closest<HTMLElement>('.row')
    for (const [k, r] of this.rendered) if (!keep.has(k) && r.el !== focused) {
      r.el.remove()
      this.rendered.delete(k)
    }
    // The screen's rows first, then those around it while the frame's budget lasts; the rest next frame.
    const onScreen = new Set(screen.map(([k]) => k))
    const now = performance.now()
    const end = now + BUILD_MS
    const idle = now - this.lastScroll >= SCROLL_IDLE_MS
    let more = false
    for (const [key, i, row, top] of [...screen, ...around.filter(([k]) => !onScreen.has(k))]) {
      const visible = onScreen.has(key)
      const soon = visible && idle
      const have = this.rendered.get(key)
      if (have?.filled) {
        if (soon) wake(have.el)
        continue
      }
      if (!visible && performance.now() > end) {
        more = true
        break
      }
      const el = have?.el ?? this.place(top, row < 0)
      if (row < 0) el.textContent = monthLabel(this.sections[i]!.label!)
      this.rendered.set(key, { el, section: i, row, filled: row < 0 || this.fill(el, i, row, soon) })
    }
    if (more) this.schedule()
    clearTimeout(this.idle)
    if (!idle) this.idle = window.setTimeout(() => this.render(), this.lastScroll + SCROLL_IDLE_MS - now)
    clearTimeout(this.waking)
    if (idle) this.waking = window.setTimeout(() => wake(this.canvas), WAKE_MS)
    if (!this.done && m1 >= this.height) void this.more()
  }

  private place(top: number, header: boolean): HTMLElement {
    const el = header ? h('h2.month') : h('div.row', { role: this.headers ? 'list' : 'none' })
    el.style.transform = `translateY(${top}px)`
    if (!header) {
      el.style.height = `${this.size}px`
      el.style.gridTemplateColumns = `repeat(${this.cols}, 1fr)`
    }
    this.canvas.append(el)
    return el
  }

  /** Fill a row with its tiles (placeholders where its page is not here yet); whether all were there. */
  private fill(el: HTMLElement, i: number, row: number, soon: boolean): boolean {
    const s = this.sections[i]!
    const start = row * this.cols
    const cells: HTMLElement[] = []
    let all = true
    for (let k = start; k < Math.min(s.count, start + this.cols); k++) {
      const item = this.pageOf(i, Math.floor(k / PAGE))?.[k % PAGE]
      const index = s.first + k
      const cell = h('div.cell', this.headers ? { role: 'listitem' } : { role: 'listitem', 'aria-posinset': index + 1, 'aria-setsize': this.done ? this.total : -1 })
      if (item) {
        this.remember(item.id, index)
        const t = tile(item, this.opts.route(item.id), soon)
        t.dataset.index = String(index)
        cell.append(t)
      } else {
        all = false
        cell.append(h('div.tile.loading', { 'aria-hidden': 'true' }))
      }
      cells.push(cell)
    }
    el.replaceChildren(...cells)
    return all
  }

  private pageOf(i: number, p: number): readonly Summary[] | undefined {
    const key = `${i}:${p}`
    const page = this.pages.get(key)
    if (page) keepRecent(this.pages, key, page, KEEP_PAGES)
    return page
  }

  private remember(id: string, index: number): void {
    keepRecent(this.positions, id, index, KEEP_POSITIONS)
  }

  /** Load the pages of what is on screen and just around it. */
  private fetchVisible(): void {
    if (this.stopped) return
    this.lastFetch = performance.now()
    // Outside a frame: a good time to measure again where the canvas starts (what is above it may have changed).
    this.origin = this.canvas.getBoundingClientRect().top + window.scrollY
    for (const [i, p] of this.wantedPages().values()) void this.loadPage(i, p)
  }

  private loadPage(i: number, p: number): Promise<void> {
    const key = `${i}:${p}`
    if (this.pages.has(key)) return Promise.resolve()
    const pending = this.loading.get(key)
    if (pending) return pending
    const source = this.opts.source
    const generation = this.generation
    const s = this.sections[i]!
    const items: Promise<readonly Summary[]> = 'sections' in source
      ? source.window(s.key, p * PAGE, PAGE)
      : source.next(this.cursors[p], PAGE).then((r) => r.items)
    const work = items.then((got) => {
      if (generation !== this.generation) return
      keepRecent(this.pages, key, got, KEEP_PAGES)
      if (endsEarly(s, p, got)) this.measure()
      // Only the rows this page covers are drawn again.
      const from = Math.floor((p * PAGE) / this.cols)
      const to = Math.floor(((p + 1) * PAGE - 1) / this.cols)
      for (const r of this.rendered.values()) if (r.section === i && r.row >= from && r.row <= to) r.filled = false
      this.schedule()
    }).finally(() => this.loading.delete(key))
    this.loading.set(key, work)
    return work
  }

  /** Open-ended lists: the next page, appended. */
  private more(): Promise<void> {
    const source = this.opts.source
    if (this.done || 'sections' in source) return Promise.resolve()
    const key = 'more'
    const pending = this.loading.get(key)
    if (pending) return pending
    const generation = this.generation
    const s = this.sections[0]!
    const p = Math.ceil(s.count / PAGE)
    this.status.textContent = 'Loading…'
    const work = source.next(this.cursors[p], PAGE).then((page) => {
      if (generation !== this.generation) return
      keepRecent(this.pages, `0:${p}`, page.items, KEEP_PAGES)
      this.cursors[p + 1] = page.nextCursor
      this.done = !page.nextCursor
      // The last row may have been short: it is drawn again with the new items.
      const lastRow = Math.floor(Math.max(0, s.count - 1) / this.cols)
      s.count += page.items.length
      this.status.textContent = ''
      for (const r of this.rendered.values()) if (r.row >= lastRow) r.filled = false
      // The end is known now: every position drawn so far learns the list's length.
      if (this.done) for (const cell of this.canvas.querySelectorAll('[aria-setsize]')) cell.setAttribute('aria-setsize', String(s.count))
      this.measure()
      this.schedule()
    }).finally(() => this.loading.delete(key))
    this.loading.set(key, work)
    return work
  }

  private click(e: MouseEvent): void {
    const a = (e.target as Element).closest<HTMLAnchorElement>('a.tile')
    if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
    e.preventDefault()
    this.opts.open(this, a.dataset.id!)
  }

  /** Arrow keys move between tiles, Home/End to the ends: the rows needed are drawn as focus moves. */
  private key(e: KeyboardEvent): void {
    const a = (e.target as Element).closest<HTMLAnchorElement>('a.tile')
    if (!a || e.altKey || e.ctrlKey || e.metaKey) return
    const index = Number(a.dataset.index)
    const screenRows = Math.max(1, Math.floor(window.innerHeight / (this.size + GAP)))
    const to = ({
      ArrowLeft: index - 1, ArrowRight: index + 1, ArrowUp: index - this.cols, ArrowDown: index + this.cols,
      PageUp: index - this.cols * screenRows, PageDown: index + this.cols * screenRows, Home: 0, End: this.total - 1,
    } as Record<string, number>)[e.key]
    if (to === undefined) return
    e.preventDefault()
    void this.focusAt(Math.max(0, Math.min(this.total - 1, to)))
  }

  private async focusAt(index: number): Promise<void> {
    this.scrollToIndex(index, false)
    this.render()
    let t = this.canvas.querySelector<HTMLElement>(`a.tile[data-index="${index}"]`)
    if (!t) {
      await this.at(index)
      this.render()
      t = this.canvas.querySelector<HTMLElement>(`a.tile[data-index="${index}"]`)
    }
    t?.focus({ preventScroll: true })
  }

  private scrollToIndex(index: number, center: boolean): void {
    if (this.sections.length === 0) return
    const s = this.sections[this.sectionAt('first', index)]!
    const row = Math.floor((index - s.first) / this.cols)
    const y = this.origin + s.top + s.header + row * (this.size + GAP)
    const bar = document.querySelector('header.bar')?.getBoundingClientRect().height ?? 0
    if (y < window.scrollY + bar) window.scrollTo({ top: center ? y - window.innerHeight / 3 : y - bar - (row === 0 ? s.header : 0) })
    else if (y + this.size > window.scrollY + window.innerHeight) window.scrollTo({ top: center ? y - window.innerHeight / 3 : y + this.size - window.innerHeight + GAP })
  }

  indexOf(id: string): number {
    return this.positions.get(id) ?? -1
  }

  async at(index: number): Promise<Summary | undefined> {
    await this.ready
    while (index >= this.total && !this.done) await this.more()
    if (index < 0 || index >= this.total) return undefined
    const i = this.sectionAt('first', index)
    const offset = index - this.sections[i]!.first
    const p = Math.floor(offset / PAGE)
    await this.loadPage(i, p)
    const item = this.pages.get(`${i}:${p}`)?.[offset % PAGE]
    if (item) this.remember(item.id, index)
    return item
  }

  hrefOf(id: string): string {
    return this.opts.route(id)
  }

  changed(): void {
    void this.reload()
  }

  /** Scroll so the item is on screen (after the viewer moved through the list). */
  reveal(id: string): void {
    const index = this.indexOf(id)
    if (index >= 0) this.scrollToIndex(index, true)
  }
}
