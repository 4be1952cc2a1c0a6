// Uploads: many files from the picker or a drop, two at a time, each a raw-body XMLHttpRequest for its progress;
// a 200 means the library already had those bytes. New items are polled until their thumbnails exist.
import { api, uploadFile, type AssetRecord } from './api.js'
import { h } from './dom.js'

interface Entry {
  readonly file: File
  loaded: number
  readonly bar: HTMLProgressElement
  readonly status: HTMLElement
}

const PARALLEL = 2
const POLL_MS = 700

export class Uploads {
  readonly el: HTMLElement
  private readonly list: HTMLElement
  private readonly overall: HTMLProgressElement
  private readonly heading: HTMLElement
  private entries: Entry[] = []
  private queue: Entry[] = []
  private running = 0
  private finished = 0

  constructor(private readonly onReady: () => void) {
    this.heading = h('h2', { id: 'uploads-title' }, 'Uploads')
    this.overall = h('progress', { max: 1, value: 0, 'aria-label': 'Overall upload progress' })
    this.list = h('ul.upload-list')
    this.el = h('section.uploads', { 'aria-labelledby': 'uploads-title', hidden: true },
      h('div.uploads-head', {}, this.heading, h('button.secondary.small', { type: 'button', onclick: () => this.dismiss() }, 'Hide')),
      this.overall, this.list)
  }

  add(files: Iterable<File>): void {
    for (const file of files) {
      const bar = h('progress', { max: Math.max(1, file.size), value: 0, 'aria-label': `Upload of ${file.name}` })
      const status = h('span.upload-status', {}, 'Waiting')
      const entry: Entry = { file, loaded: 0, bar, status }
      this.list.append(h('li', {}, h('span.upload-name', {}, file.name), bar, status))
      this.entries.push(entry)
      this.queue.push(entry)
    }
    this.el.hidden = false
    this.update()
    this.pump()
  }

  private dismiss(): void {
    this.el.hidden = true
    if (this.running === 0 && this.queue.length === 0) {
      this.entries = []
      this.finished = 0
      this.list.replaceChildren()
    }
  }

  private pump(): void {
    while (this.running < PARALLEL && this.queue.length > 0) {
      const entry = this.queue.shift()!
      this.running++
      void this.send(entry).finally(() => {
        this.running--
        this.finished++
        this.update()
        this.pump()
      })
    }
  }

  private async send(entry: Entry): Promise<void> {
    entry.status.textContent = 'Uploading'
    const outcome = await uploadFile(entry.file, (loaded, total) => {
      entry.loaded = loaded
      entry.bar.max = Math.max(1, total)
      entry.bar.value = loaded
      this.update()
    })
    entry.loaded = entry.file.size
    entry.bar.value = entry.bar.max
    if (!outcome.record) {
      entry.status.textContent = `Failed: ${outcome.message ?? outcome.code}`
      entry.status.classList.add('error')
      return
    }
    if (outcome.status === 200) {
      entry.status.textContent = 'Duplicate: already in the library'
      return
    }
    entry.status.textContent = 'Uploaded, making thumbnail…'
    this.onReady()
    void this.watch(entry, outcome.record)
  }

  /** Poll the record until its derived work is over, then refresh the timeline so the thumbnail appears. */
  private async watch(entry: Entry, record: AssetRecord): Promise<void> {
    let r = record
    for (let i = 0; i < 600 && (r.jobs.derive.state === 'queued' || r.jobs.derive.state === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      try {
        r = await api<AssetRecord>('GET', `/api/assets/${r.id}`)
      } catch {
        // keep polling through a transient error
      }
    }
    entry.status.textContent = r.jobs.derive.state === 'done' ? 'Ready' : `Uploaded (no thumbnail: ${r.jobs.derive.error?.message ?? r.jobs.derive.state})`
    this.onReady()
  }

  private update(): void {
    const total = this.entries.reduce((n, e) => n + Math.max(1, e.file.size), 0)
    const loaded = this.entries.reduce((n, e) => n + Math.min(e.loaded, e.file.size), 0)
    this.overall.max = Math.max(1, total)
    this.overall.value = loaded
    this.heading.textContent = this.finished < this.entries.length
      ? `Uploading ${Math.min(this.finished + 1, this.entries.length)} of ${this.entries.length}`
      : `${this.entries.length} ${this.entries.length === 1 ? 'file' : 'files'} uploaded`
  }
}

/** Drag and drop anywhere on the page. */
export function acceptDrops(onFiles: (files: FileList) => void, canUpload: () => boolean): void {
  const overlay = h('div.drop', { 'aria-hidden': 'true' }, h('p', {}, 'Drop photos and videos to upload'))
  document.body.append(overlay)
  let depth = 0
  const hasFiles = (e: DragEvent) => canUpload() && !!e.dataTransfer && [...e.dataTransfer.types].includes('Files')
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return
    depth++
    overlay.classList.add('show')
  })
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1)
    if (depth === 0) overlay.classList.remove('show')
  })
  document.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault()
  })
  document.addEventListener('drop', (e) => {
    depth = 0
    overlay.classList.remove('show')
    if (!hasFiles(e) || !e.dataTransfer?.files.length) return
    e.preventDefault()
    onFiles(e.dataTransfer.files)
  })
}
