// One item, over the list it was opened from: preview (full resolution on demand), video with seeking (the
// original through Range), ← → Esc, the metadata panel, caption/tags for writers, download, delete for owners.
import { api, ApiError, fileUrl, type Album, type AssetRecord } from './api.js'
import type { ItemContext } from './context.js'
import { bytesLabel, clear, dateLabel, h, toast } from './dom.js'
import { altText, duration, hasDerivative } from './tiles.js'
import { confirmDialog, shareDialog } from './dialogs.js'

export interface ViewerRights {
  readonly write: boolean
  readonly remove: boolean
  readonly share: boolean
  /** The album the viewer was opened from (offers "Remove from album"). */
  readonly album?: string
}

export class Viewer {
  readonly el: HTMLElement
  private readonly media: HTMLElement
  private readonly panel: HTMLElement
  private readonly prev: HTMLButtonElement
  private readonly next: HTMLButtonElement
  private readonly title: HTMLElement
  private record: AssetRecord | undefined
  private index = -1
  currentId: string | undefined
  private readonly keys = (e: KeyboardEvent) => this.key(e)
  private returnFocus: Element | null

  constructor(private readonly ctx: ItemContext, private readonly rights: ViewerRights, private readonly navigate: (href: string, replace: boolean) => void) {
    this.returnFocus = document.activeElement
    this.title = h('h1.viewer-title', { id: 'viewer-title' })
    this.prev = h('button.nav-btn', { type: 'button', 'aria-label': 'Previous item', onclick: () => void this.step(-1) }, '←')
    this.next = h('button.nav-btn', { type: 'button', 'aria-label': 'Next item', onclick: () => void this.step(1) }, '→')
    const close = h('button.close', { type: 'button', 'aria-label': 'Close', onclick: () => this.close() }, '✕')
    this.media = h('div.stage')
    this.panel = h('aside.details', { 'aria-label': 'Details' })
    this.el = h('div.viewer', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'viewer-title' },
      h('div.viewer-bar', {}, close, this.title, h('div.viewer-nav', {}, this.prev, this.next)),
      h('div.viewer-body', {}, this.media, this.panel))
    document.addEventListener('keydown', this.keys)
  }

  async show(id: string): Promise<void> {
    this.media.replaceChildren(h('p.boot', {}, 'Loading…'))
    let record: AssetRecord
    try {
      record = await api<AssetRecord>('GET', `/api/assets/${id}`)
    } catch (err) {
      this.title.textContent = 'Not found'
      this.media.replaceChildren(h('p.error', { role: 'alert' }, err instanceof ApiError && err.status === 404 ? 'This item does not exist (any more).' : `Could not load the item (${err instanceof ApiError ? err.code : 'network'}).`))
      this.panel.replaceChildren()
      return
    }
    this.record = record
    this.currentId = id
    const at = this.ctx.indexOf(id)
    if (at >= 0) this.index = at
    this.title.textContent = record.filename
    document.title = `${record.filename} · Photos`
    this.drawMedia(record)
    this.drawPanel(record)
    void this.updateNav()
    this.el.querySelector<HTMLElement>('button.close')?.focus({ preventScroll: true })
  }

  private async updateNav(): Promise<void> {
    this.prev.disabled = this.index <= 0
    const after = this.index >= 0 ? await this.ctx.at(this.index + 1) : undefined
    this.next.disabled = !after
  }

  private drawMedia(r: AssetRecord): void {
    const has = (name: string) => hasDerivative(r, name)
    if (r.kind === 'video') {
      const video = h('video.media', { controls: true, preload: 'metadata', playsinline: true, src: fileUrl(r.id, 'original'), 'aria-label': altText(r) })
      if (has('poster')) video.poster = fileUrl(r.id, 'poster')
      this.media.replaceChildren(video)
      return
    }
    const src = has('preview') ? fileUrl(r.id, 'preview') : fileUrl(r.id, 'original')
    const img = h('img.media', { src, alt: altText(r) })
    const full = h('button.secondary', { type: 'button', onclick: () => {
      img.src = fileUrl(r.id, 'original')
      full.disabled = true
      full.textContent = 'Full resolution shown'
    } }, `Full resolution (${r.width} × ${r.height})`)
    clear(this.media, img, has('preview') && h('div.stage-actions', {}, full))
  }

  private drawPanel(r: AssetRecord): void {
    const rows: Array<[string, string]> = [['Date', dateLabel(r.takenAt)]]
    const camera = [r.camera?.make, r.camera?.model].filter(Boolean).join(' ')
    if (camera) rows.push(['Camera', camera])
    if (r.camera?.lens) rows.push(['Lens', r.camera.lens])
    const e = r.exposure
    if (e) {
      const parts = [
        e.exposureTime ? (e.exposureTime < 1 ? `1/${Math.round(1 / e.exposureTime)} s` : `${e.exposureTime} s`) : '',
        e.fNumber ? `ƒ/${e.fNumber}` : '',
        e.iso ? `ISO ${e.iso}` : '',
        e.focalLength ? `${e.focalLength} mm` : '',
      ].filter(Boolean)
      if (parts.length) rows.push(['Exposure', parts.join(' · ')])
    }
    if (r.gps) rows.push(['Place', `${r.gps.latitude.toFixed(5)}, ${r.gps.longitude.toFixed(5)}`])
    rows.push(['Size', `${r.width} × ${r.height} · ${bytesLabel(r.size)}`])
    if (r.kind === 'video' && r.durationSeconds) rows.push(['Duration', duration(r.durationSeconds)])
    rows.push(['Uploaded by', r.uploadedBy])
    const dl = h('dl.meta')
    for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v))

    const actions = h('div.actions', {},
      h('a.button.secondary', { href: fileUrl(r.id, 'original', true), download: r.filename }, 'Download original'))
    if (this.rights.share) actions.append(h('button.secondary', { type: 'button', onclick: () => shareDialog({ asset: r.id }, r.filename) }, 'Share'))
    if (this.rights.album) actions.append(h('button.secondary', { type: 'button', onclick: () => void this.removeFromAlbum(r) }, 'Remove from album'))
    if (this.rights.remove) actions.append(h('button.danger', { type: 'button', onclick: () => void this.remove(r) }, 'Delete'))

    clear(this.panel, h('h2.sr-only', {}, 'Details'), dl, this.rights.write ? this.editor(r) : this.readOnly(r), this.rights.write ? this.albumPicker(r) : null, actions)
  }

  private readOnly(r: AssetRecord): Node {
    return h('div', {}, r.caption ? h('p.caption', {}, r.caption) : null, r.tags.length ? h('p.tags', {}, r.tags.map((t) => `#${t}`).join(' ')) : null)
  }

  private editor(r: AssetRecord): Node {
    const caption = h('textarea', { id: 'caption', name: 'caption', rows: 3, maxlength: 2000 })
    caption.value = r.caption ?? ''
    const tags = h('input', { id: 'tags', name: 'tags', type: 'text', value: r.tags.join(', '), autocomplete: 'off' })
    const status = h('p.status', { role: 'status' })
    const form = h('form.edit', { onsubmit: async (e: Event) => {
      e.preventDefault()
      status.textContent = 'Saving…'
      try {
        const body = { caption: caption.value.trim() || null, tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean) }
        this.record = await api<AssetRecord>('PATCH', `/api/assets/${r.id}`, body)
        status.textContent = 'Saved'
        this.ctx.changed(r.id, false)
        const img = this.media.querySelector('img')
        if (img) img.alt = altText(this.record)
      } catch (err) {
        status.textContent = `Not saved: ${err instanceof ApiError ? err.message : 'network error'}`
      }
    } },
    h('label', { for: 'caption' }, 'Caption'), caption,
    h('label', { for: 'tags' }, 'Tags (comma separated)'), tags,
    h('button', { type: 'submit' }, 'Save'), status)
    return form
  }

  private albumPicker(r: AssetRecord): Node {
    const select = h('select', { id: 'album-pick', name: 'album' }, h('option', { value: '' }, 'Choose an album…'))
    const status = h('p.status', { role: 'status' })
    void api<{ albums: Album[] }>('GET', '/api/albums').then(({ albums }) => {
      for (const a of albums) select.append(h('option', { value: a.id }, a.title))
    }).catch(() => undefined)
    return h('form.album-add', { onsubmit: async (e: Event) => {
      e.preventDefault()
      if (!select.value) return
      try {
        await api('PATCH', `/api/albums/${select.value}`, { add: [r.id] })
        status.textContent = `Added to ${select.selectedOptions[0]?.textContent ?? 'the album'}`
      } catch (err) {
        status.textContent = `Not added: ${err instanceof ApiError ? err.message : 'network error'}`
      }
    } }, h('label', { for: 'album-pick' }, 'Add to album'), h('div.inline', {}, select, h('button.secondary', { type: 'submit' }, 'Add')), status)
  }

  private async removeFromAlbum(r: AssetRecord): Promise<void> {
    await api('PATCH', `/api/albums/${this.rights.album}`, { remove: [r.id] })
    toast(`Removed ${r.filename} from the album`)
    this.ctx.changed(r.id, true)
    this.close()
  }

  private async remove(r: AssetRecord): Promise<void> {
    if (!(await confirmDialog(`Delete ${r.filename}?`, 'It disappears from the library for everyone (the store keeps it in its history).', 'Delete'))) return
    try {
      await api('DELETE', `/api/assets/${r.id}`)
    } catch (err) {
      toast(`Not deleted: ${err instanceof ApiError ? err.message : 'network error'}`)
      return
    }
    toast(`Deleted ${r.filename}`)
    this.ctx.changed(r.id, true)
    this.close()
  }

  private async step(delta: number): Promise<void> {
    if (this.index < 0) return
    // Move the position at once, so keys pressed faster than items load still count.
    const from = this.index
    const to = from + delta
    this.index = to
    const item = await this.ctx.at(to)
    if (item && this.index === to) this.navigate(this.ctx.hrefOf(item.id), true)
    else if (!item && this.index === to) this.index = from
  }

  private key(e: KeyboardEvent): void {
    if (document.querySelector('dialog[open]')) return
    const t = e.target as HTMLElement
    const typing = t.closest('input, textarea, select, video')
    if (e.key === 'Escape') {
      e.preventDefault()
      this.close()
    } else if (!typing && e.key === 'ArrowLeft') void this.step(-1)
    else if (!typing && e.key === 'ArrowRight') void this.step(1)
  }

  close(): void {
    this.navigate(this.ctx.backHref, false)
  }

  destroy(): void {
    document.removeEventListener('keydown', this.keys)
    this.el.remove()
    if (this.returnFocus instanceof HTMLElement && this.returnFocus.isConnected) this.returnFocus.focus({ preventScroll: true })
  }
}
