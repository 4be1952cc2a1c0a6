// The timeline: months newest first, virtualised. The scroll height comes from /api/timeline's month counts, so
// 100,000 items need no loading to size; only the rows near the viewport exist in the DOM, and only the pages
// (per month, by offset) they show are fetched, once scrolling settles.
import { api, query, type Summary } from './api.js'
import type { ItemContext } from './context.js'
import { h, monthLabel } from './dom.js'
import { tile, wake } from './tiles.js'

interface Month {
  readonly month: string
  readonly count: number
}

interface Section extends Month {
  top: number
  /** Global position of its first item. */
  first: number
  rows: number
}

const PAGE = 200
const HEADER = 52
const GAP = 4
const SETTLE_MS = 90
const WAKE_MS = 400

export class Timeline implements ItemContext {
  readonly backHref = '/'
  readonly el: HTMLElement
  private readonly canvas: HTMLElement
  private sections: Section[] = []
  private total = 0
  private cols = 4
  private size = 180
  private pages = new Map<string, Summary[]>()
  private loading = new Map<string, Promise<void>>()
  private positions = new Map<string, number>()
  private rendered = new Map<string, { el: HTMLElement; filled: boolean }>()
  private frame = 0
  private settle = 0
  private waking = 0
  private width = 0
  private generation = 0
  private readonly onScroll = () => this.schedule(true)
  private readonly onResize = () => this.layout()

  constructor(private readonly open: (ctx: ItemContext, id: string) => void, private readonly empty: () => Node) {
    this.canvas = h('div.canvas')
    this.el = h('section.timeline', { 'aria-label': 'Timeline' }, this.canvas)
  }

  /** `early`: the month counts and the newest items, fetched by the boot in parallel with the session. */
  async start(early?: { months: Promise<Month[]>; newest: Promise<Summary[]> }): Promise<void> {
    window.addEventListener('scroll', this.onScroll, { passive: true })
    window.addEventListener('resize', this.onResize)
    await this.reload(early)
  }

  /** The newest items overall cover the first page of each month in turn, as far as they reach. */
  private seedPages(newest: readonly Summary[]): void {
    let i = 0
    for (const s of this.sections) {
      const want = Math.min(s.count, PAGE)
      const page = newest.slice(i, i + want)
      if (page.length < want || page.some((item) => item.takenAt.slice(0, 7) !== s.month)) return
      this.pages.set(`${s.month}:0`, page)
      i += want
      if (want < s.count) return
    }
  }

  stop(): void {
    window.removeEventListener('scroll', this.onScroll)
    window.removeEventListener('resize', this.onResize)
    cancelAnimationFrame(this.frame)
    clearTimeout(this.settle)
    clearTimeout(this.waking)
  }

  /** Fetch the month counts again (after uploads or deletes) and redraw with fresh pages. */
  async reload(early?: { months: Promise<Month[]>; newest: Promise<Summary[]> }): Promise<void> {
    const fresh = async () => (await api<{ months: Month[] }>('GET', '/api/timeline')).months
    const months = early ? await early.months.catch(fresh) : await fresh()
    const newest = early ? await early.newest.catch(() => []) : []
    this.generation++
    this.pages.clear()
    this.loading.clear()
    this.positions.clear()
    this.sections = months.filter((m) => m.count > 0).map((m) => ({ ...m, top: 0, first: 0, rows: 0 }))
    this.total = this.sections.reduce((n, s) => n + s.count, 0)
    this.seedPages(newest)
    for (const r of this.rendered.values()) r.el.remove()
    this.rendered.clear()
    this.el.querySelector('.empty')?.remove()
    if (this.total === 0) this.el.append(this.empty())
    this.width = 0
    this.layout()
  }

  private layout(): void {
    const width = this.canvas.clientWidth || document.documentElement.clientWidth
    if (width === this.width && this.sections.length > 0 && this.sections[0]!.rows > 0) return this.schedule(false)
    this.width = width
    const target = width < 640 ? 110 : 190
    this.cols = Math.max(3, Math.floor((width + GAP) / (target + GAP)))
    this.size = (width - GAP * (this.cols - 1)) / this.cols
    let top = 0
    let first = 0
    for (const s of this.sections) {
      s.top = top
      s.first = first
      s.rows = Math.ceil(s.count / this.cols)
      top += HEADER + s.rows * (this.size + GAP)
      first += s.count
    }
    this.canvas.style.height = `${Math.ceil(top)}px`
    for (const r of this.rendered.values()) r.el.remove()
    this.rendered.clear()
    this.schedule(false)
  }

  private schedule(scrolling: boolean): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.render()
    })
    if (scrolling) clearTimeout(this.settle)
    this.settle = window.setTimeout(() => this.fetchVisible(), scrolling ? SETTLE_MS : 0)
  }

  /** The window of y (within the canvas) worth having in the DOM: the viewport and most of one screen around. */
  private range(extra: number): [number, number] {
    const origin = this.canvas.getBoundingClientRect().top
    const vh = window.innerHeight
    return [-origin - vh * extra, -origin + vh * (1 + extra)]
  }

  /** The last section whose `field` is at most `value` (sections ascend in both `top` and `first`). */
  private lastAtOrBefore(field: 'top' | 'first', value: number): number {
    let lo = 0
    let hi = this.sections.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.sections[mid]![field] <= value) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Each visible row as [key, section, row index (-1 = header)]. */
  private visible(extra: number): Array<[string, Section, number]> {
    const out: Array<[string, Section, number]> = []
    if (this.sections.length === 0) return out
    const [y0, y1] = this.range(extra)
    const rowH = this.size + GAP
    for (let i = this.lastAtOrBefore('top', Math.max(0, y0)); i < this.sections.length; i++) {
      const s = this.sections[i]!
      if (s.top > y1) break
      if (s.top + HEADER > y0) out.push([`${s.month}:h`, s, -1])
      const from = Math.max(0, Math.floor((y0 - s.top - HEADER) / rowH))
      const to = Math.min(s.rows - 1, Math.floor((y1 - s.top - HEADER) / rowH))
      for (let r = from; r <= to; r++) out.push([`${s.month}:${r}`, s, r])
    }
    return out
  }

  private render(): void {
    const want = this.visible(0.5)
    const [v0, v1] = this.range(0)
    const keep = new Set(want.map(([k]) => k))
    for (const [k, r] of this.rendered) if (!keep.has(k)) {
      r.el.remove()
      this.rendered.delete(k)
    }
    const rowH = this.size + GAP
    for (const [key, s, row] of want) {
      const have = this.rendered.get(key)
      if (row < 0) {
        if (!have) {
          const el = h('h2.month', {}, monthLabel(s.month))
          el.style.transform = `translateY(${s.top}px)`
          this.canvas.append(el)
          this.rendered.set(key, { el, filled: true })
        }
        continue
      }
      const top = s.top + HEADER + row * rowH
      const soon = top < v1 && top + rowH > v0
      if (have?.filled) {
        if (soon) wake(have.el)
        continue
      }
      const start = row * this.cols
      const items = this.itemsOf(s, start, Math.min(s.count, start + this.cols))
      const el = have?.el ?? h('div.row', { role: 'list' })
      if (!have) {
        el.style.transform = `translateY(${top}px)`
        el.style.height = `${this.size}px`
        el.style.gridTemplateColumns = `repeat(${this.cols}, 1fr)`
        this.canvas.append(el)
      }
      el.replaceChildren()
      for (let i = 0; i < items.length; i++) {
        const item = items[i]
        const cell = h('div.cell', { role: 'listitem' })
        if (item) {
          this.positions.set(item.id, s.first + start + i)
          cell.append(tile(item, `/item/${item.id}`, (e) => this.click(e, item.id), soon))
        } else cell.append(h('div.tile.loading', { 'aria-hidden': 'true' }))
        el.append(cell)
      }
      this.rendered.set(key, { el, filled: items.every(Boolean) })
    }
    // Rows around the screen get their thumbnails once the screen's own have had a head start.
    clearTimeout(this.waking)
    this.waking = window.setTimeout(() => wake(this.canvas), WAKE_MS)
  }

  private click(e: MouseEvent, id: string): void {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
    e.preventDefault()
    this.open(this, id)
  }

  private itemsOf(s: Section, from: number, to: number): Array<Summary | undefined> {
    const out: Array<Summary | undefined> = []
    for (let i = from; i < to; i++) out.push(this.pages.get(`${s.month}:${Math.floor(i / PAGE)}`)?.[i % PAGE])
    return out
  }

  /** Load the pages of what is on screen now (called once scrolling settles). */
  private fetchVisible(): void {
    const need = new Set<string>()
    for (const [, s, row] of this.visible(0.25)) {
      if (row < 0) continue
      const a = Math.floor((row * this.cols) / PAGE)
      const b = Math.floor((Math.min(s.count, (row + 1) * this.cols) - 1) / PAGE)
      for (let p = a; p <= b; p++) need.add(`${s.month}:${p}`)
    }
    for (const key of need) void this.loadPage(key)
  }

  private loadPage(key: string): Promise<void> {
    if (this.pages.has(key)) return Promise.resolve()
    const pending = this.loading.get(key)
    if (pending) return pending
    const [month, p] = key.split(':') as [string, string]
    const generation = this.generation
    const work = api<{ items: Summary[] }>('GET', `/api/assets${query({ month, offset: Number(p) * PAGE, limit: PAGE })}`)
      .then(({ items }) => {
        if (generation !== this.generation) return
        this.pages.set(key, items)
        for (const [k, r] of this.rendered) if (k.startsWith(month + ':')) r.filled = false
        this.schedule(false)
      })
      .finally(() => this.loading.delete(key))
    this.loading.set(key, work)
    return work
  }

  indexOf(id: string): number {
    return this.positions.get(id) ?? -1
  }

  async at(index: number): Promise<Summary | undefined> {
    if (index < 0 || index >= this.total) return undefined
    const s = this.sections[this.lastAtOrBefore('first', index)]!
    const offset = index - s.first
    const key = `${s.month}:${Math.floor(offset / PAGE)}`
    await this.loadPage(key)
    const item = this.pages.get(key)?.[offset % PAGE]
    if (item) this.positions.set(item.id, index)
    return item
  }

  hrefOf(id: string): string {
    return `/item/${id}`
  }

  changed(): void {
    void this.reload()
  }

  /** Scroll so the item at a position is on screen (after the viewer moved through the list). */
  reveal(id: string): void {
    const index = this.indexOf(id)
    if (index < 0) return
    const s = this.sections[this.lastAtOrBefore('first', index)]!
    const row = Math.floor((index - s.first) / this.cols)
    const y = this.canvas.getBoundingClientRect().top + window.scrollY + s.top + HEADER + row * (this.size + GAP)
    if (y < window.scrollY || y > window.scrollY + window.innerHeight - this.size) window.scrollTo({ top: y - window.innerHeight / 3 })
  }
}
