// A plain grid of items that loads more as its end comes into view: search results, an album, a share.
// (Those lists are what one asked for, not the whole library; the timeline is the virtualised one.)
import type { Page, Summary } from './api.js'
import type { ItemContext } from './context.js'
import { h } from './dom.js'
import { tile } from './tiles.js'

export class Grid implements ItemContext {
  readonly el: HTMLElement
  private readonly list: HTMLElement
  private readonly sentinel: HTMLElement
  private items: Summary[] = []
  private cursor: string | undefined
  private done = false
  private loading: Promise<void> | undefined
  private readonly observer: IntersectionObserver
  /** Called after an item left the list (removed from an album, deleted). */
  onRemoved: (() => void) | undefined

  constructor(
    label: string,
    readonly backHref: string,
    private readonly load: (cursor: string | undefined) => Promise<Page>,
    private readonly open: (ctx: ItemContext, id: string) => void,
    private readonly route: (id: string) => string,
    private readonly emptyText: string,
  ) {
    this.list = h('ul.grid', { 'aria-label': label })
    this.sentinel = h('p.more', { 'aria-live': 'polite' })
    this.el = h('div', {}, this.list, this.sentinel)
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void this.more()
    }, { rootMargin: '600px' })
    this.observer.observe(this.sentinel)
  }

  get length(): number {
    return this.items.length
  }

  stop(): void {
    this.observer.disconnect()
  }

  async more(): Promise<void> {
    if (this.done) return
    this.loading ??= (async () => {
      this.sentinel.textContent = 'Loading…'
      const page = await this.load(this.cursor)
      this.cursor = page.nextCursor
      this.done = !page.nextCursor
      for (const item of page.items) this.add(item)
      this.items.push(...page.items)
      this.sentinel.textContent = this.items.length === 0 && this.done ? this.emptyText : ''
    })().finally(() => (this.loading = undefined))
    return this.loading
  }

  private add(item: Summary): void {
    this.list.append(h('li', {}, tile(item, this.route(item.id), (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
      e.preventDefault()
      this.open(this, item.id)
    })))
  }

  indexOf(id: string): number {
    return this.items.findIndex((i) => i.id === id)
  }

  async at(index: number): Promise<Summary | undefined> {
    while (index >= this.items.length && !this.done) await this.more()
    return index >= 0 ? this.items[index] : undefined
  }

  hrefOf(id: string): string {
    return this.route(id)
  }

  changed(id: string, removed: boolean): void {
    if (!removed) return
    const i = this.indexOf(id)
    if (i < 0) return
    this.items.splice(i, 1)
    this.list.children[i]?.remove()
    this.onRemoved?.()
  }
}
