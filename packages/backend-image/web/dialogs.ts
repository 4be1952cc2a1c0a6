// Modal dialogs on <dialog> (focus trapped and Esc handled by the browser): confirmations and share links.
import { api, ApiError, type Share } from './api.js'
import { dateLabel, h, toast } from './dom.js'

function modal(label: string, ...body: Node[]): HTMLDialogElement {
  const d = h('dialog.modal', { 'aria-label': label }, ...body)
  d.addEventListener('close', () => d.remove())
  document.body.append(d)
  d.showModal()
  return d
}

export function confirmDialog(title: string, text: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false
    const d = modal(title,
      h('h2', {}, title), h('p', {}, text),
      h('div.actions', {},
        h('button.secondary', { type: 'button', onclick: () => d.close() }, 'Cancel'),
        h('button.danger', { type: 'button', onclick: () => { answer = true; d.close() } }, action)))
    d.addEventListener('close', () => resolve(answer))
  })
}

/** Create a read-only link for an album or one item, with an optional expiry; copy it. */
export function shareDialog(target: { album?: string; asset?: string }, name: string, onClose?: () => void): void {
  const expiry = h('input', { id: 'share-expiry', type: 'date', name: 'expires' })
  const result = h('div.share-result')
  const form = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault()
    try {
      const body: Record<string, string> = { ...target } as Record<string, string>
      if (expiry.value) body.expiresAt = new Date(`${expiry.value}T23:59:59Z`).toISOString()
      const share = await api<Share>('POST', '/api/shares', body)
      const url = share.url && /^https?:/.test(share.url) ? share.url : `${location.origin}/s/${share.token}`
      const field = h('input', { id: 'share-url', type: 'text', readonly: true, value: url })
      result.replaceChildren(
        h('label', { for: 'share-url' }, 'Share link'), field,
        h('div.actions', {},
          h('button', { type: 'button', onclick: () => void copy(field) }, 'Copy link'),
          h('button.danger', { type: 'button', onclick: async () => {
            await api('DELETE', `/api/shares/${share.id}`)
            result.replaceChildren(h('p', { role: 'status' }, 'Link revoked.'))
          } }, 'Revoke link')),
        h('p.hint', {}, share.expiresAt ? `Expires ${dateLabel(share.expiresAt)}.` : 'Does not expire.'))
      field.select()
    } catch (err) {
      result.replaceChildren(h('p.error', { role: 'alert' }, `Could not create the link: ${err instanceof ApiError ? err.message : 'network error'}`))
    }
  } }, h('label', { for: 'share-expiry' }, 'Expires on (optional)'), expiry, h('button', { type: 'submit' }, 'Create link'))
  const d = modal(`Share ${name}`, h('h2', {}, `Share ${name}`), h('p.hint', {}, 'Anyone with the link can see it, without an account, and nothing else.'), form, result,
    h('div.actions', {}, h('button.secondary', { type: 'button', onclick: () => d.close() }, 'Done')))
  if (onClose) d.addEventListener('close', onClose)
}

async function copy(field: HTMLInputElement): Promise<void> {
  field.select()
  try {
    await navigator.clipboard.writeText(field.value)
    toast('Link copied')
  } catch {
    toast('Press Ctrl+C to copy the selected link')
  }
}

/** The links made for an album, each revocable. */
export async function sharesList(album: string): Promise<HTMLElement> {
  const list = h('ul.shares')
  const { shares } = await api<{ shares: Share[] }>('GET', '/api/shares')
  for (const s of shares.filter((x) => x.album === album)) {
    const li = h('li', {}, h('span', {}, `Link made ${dateLabel(s.createdAt)} by ${s.createdBy}${s.expiresAt ? `, expires ${dateLabel(s.expiresAt)}` : ''}`),
      h('button.danger.small', { type: 'button', onclick: async () => {
        await api('DELETE', `/api/shares/${s.id}`)
        li.remove()
        toast('Link revoked')
      } }, 'Revoke'))
    list.append(li)
  }
  return list
}
