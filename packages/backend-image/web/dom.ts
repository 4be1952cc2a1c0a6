// A tiny element builder: h('a.tile', { href }, child…). Attributes go through setAttribute (never innerHTML),
// so text from the server can never become markup.

type Child = Node | string | null | undefined | false
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>

export function h<K extends keyof HTMLElementTagNameMap>(spec: K | `${K}.${string}`, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [tag, ...classes] = spec.split('.') as [K, ...string[]]
  const el = document.createElement(tag)
  if (classes.length) el.className = classes.join(' ')
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  append(el, ...children)
  return el
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c)
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, ...children)
}

const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' })
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** 'YYYY-MM' → 'December 2026'. */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return monthFormat.format(Date.UTC(y!, (m ?? 1) - 1, 1))
}

export function dateLabel(iso: string): string {
  const t = Date.parse(iso)
  return Number.isFinite(t) ? dateFormat.format(t) + ' UTC' : iso
}

export function bytesLabel(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

/** Announce a short message to screen readers and show it as a toast, above whatever is open. The toast is a
 * popover, shown again each time so it is the top layer's newest; while a modal <dialog> is open it lives inside
 * that dialog, because a modal dialog makes everything outside it inert (not announced, not hit-testable) even
 * when it is drawn above. It goes back to <body> when that dialog closes, still showing. */
export function toast(message: string): void {
  const region = document.getElementById('toast') ?? h('div.toast', { id: 'toast', role: 'status', 'aria-live': 'polite', popover: 'manual' })
  toastHost().append(region)
  if (region.matches(':popover-open')) region.hidePopover()
  region.showPopover()
  region.textContent = message
  region.classList.add('show')
  window.setTimeout(() => {
    if (region.textContent !== message) return
    region.classList.remove('show')
    window.setTimeout(() => region.textContent === message && region.matches(':popover-open') && region.hidePopover(), 250)
  }, 4000)
}

/** Where the toast is not inert: the topmost open modal dialog, else <body> (outside #app, which is inert while
 * the item view is open). */
function toastHost(): HTMLElement {
  const modals = [...document.querySelectorAll('dialog[open]')].filter((d) => d.matches(':modal'))
  const top = modals.at(-1) as HTMLDialogElement | undefined
  if (!top) return document.body
  if (!top.dataset.toastHost) {
    top.dataset.toastHost = ''
    top.addEventListener('close', () => {
      // The dialog may be out of the document already (closing removes it): look inside it, not by id.
      const region = top.querySelector<HTMLElement>('#toast')
      if (!region) return
      const showing = region.classList.contains('show')
      toastHost().append(region)
      if (showing) region.showPopover()
    })
  }
  return top
}
