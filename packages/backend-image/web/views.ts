// The pages other than the timeline: login, search, albums, one album, a share link's view.
import { api, ApiError, query, setCsrf, type Album, type Page, type Session, type Summary } from './api.js'
import type { ItemContext } from './context.js'
import { dateLabel, h } from './dom.js'
import { PAGE, WindowedGrid } from './grid.js'
import { shareDialog, sharesList } from './dialogs.js'

export type Open = (ctx: ItemContext, id: string) => void

export function loginView(onLogin: (s: Session) => void): HTMLElement {
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const message = h('p.error', { role: 'alert', id: 'login-message' })
  const button = h('button', { type: 'submit' }, 'Log in')
  const form = h('form.login', { 'aria-labelledby': 'login-title', onsubmit: async (e: Event) => {
    e.preventDefault()
    message.textContent = ''
    button.disabled = true
    try {
      const s = await api<Omit<Session, 'anonymous'>>('POST', '/api/session', { user: user.value, password: password.value })
      setCsrf(s.csrfToken)
      onLogin({ ...s, anonymous: false })
    } catch (err) {
      message.textContent = loginMessage(err)
      password.select()
    } finally {
      button.disabled = false
    }
  } },
  h('h1', { id: 'login-title' }, 'Photos'),
  h('p.hint', {}, 'Log in with your Everlock account.'),
  h('label', { for: 'login-user' }, 'User name'), user,
  h('label', { for: 'login-password' }, 'Password'), password,
  message, button)
  return h('main.login-page', { id: 'main' }, form)
}

function loginMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'The server cannot be reached. Try again.'
  switch (err.code) {
    case 'LOGIN_FAILED': return 'Wrong user name or password.'
    case 'NO_ACCESS': return 'This account has no access to this photo library. Ask its owner for Reader access.'
    case 'TOO_MANY_REQUESTS': return `Too many failed attempts. Try again in ${err.retryAfter ?? 60} seconds.`
    default: return `Login is not possible right now (${err.code}).`
  }
}

/** A one-line note where a list has nothing to show. */
const nothing = (text: string) => () => h('p.hint.nothing', {}, text)

export function searchView(params: URLSearchParams, open: Open, go: (href: string) => void): { el: HTMLElement; grid?: WindowedGrid } {
  const q = h('input', { id: 'search-q', type: 'search', name: 'q', value: params.get('q') ?? '', placeholder: 'Filename, caption or tag' })
  const from = h('input', { id: 'search-from', type: 'date', name: 'from', value: params.get('from') ?? '' })
  const to = h('input', { id: 'search-to', type: 'date', name: 'to', value: params.get('to') ?? '' })
  const form = h('form.search', { role: 'search', onsubmit: (e: Event) => {
    e.preventDefault()
    go(`/search${query({ q: q.value.trim(), from: from.value, to: to.value })}`)
  } },
  h('div.field', {}, h('label', { for: 'search-q' }, 'Search'), q),
  h('div.field', {}, h('label', { for: 'search-from' }, 'From'), from),
  h('div.field', {}, h('label', { for: 'search-to' }, 'To'), to),
  h('button', { type: 'submit' }, 'Search'))
  const el = h('div.page', {}, h('h1', {}, 'Search'), form)
  const terms = { q: params.get('q') ?? '', from: params.get('from') ?? '', to: params.get('to') ?? '' }
  if (!Object.values(terms).some(Boolean)) return { el }
  const back = `/search${query(terms)}`
  const grid = new WindowedGrid({
    label: 'Search results', backHref: back, open, route: (id) => `/item/${id}`, empty: nothing('Nothing matches.'),
    source: { next: (cursor, limit) => api<Page>('GET', `/api/assets${query({ ...terms, cursor, limit })}`) },
  })
  el.append(h('h2', {}, 'Results'), grid.el)
  return { el, grid }
}

export async function albumsView(canWrite: boolean, go: (href: string) => void): Promise<HTMLElement> {
  const list = h('ul.albums', { 'aria-label': 'Albums' })
  const el = h('div.page', {}, h('h1', {}, 'Albums'))
  if (canWrite) {
    const title = h('input', { id: 'album-title', name: 'title', required: true, maxlength: 200 })
    const status = h('p.error', { role: 'alert' })
    el.append(h('form.new-album', { onsubmit: async (e: Event) => {
      e.preventDefault()
      try {
        const album = await api<Album>('POST', '/api/albums', { title: title.value.trim() })
        go(`/albums/${album.id}`)
      } catch (err) {
        status.textContent = `Could not create the album: ${err instanceof ApiError ? err.message : 'network error'}`
      }
    } }, h('label', { for: 'album-title' }, 'New album'), h('div.inline', {}, title, h('button', { type: 'submit' }, 'Create album')), status))
  }
  el.append(list)
  const { albums } = await api<{ albums: Album[] }>('GET', '/api/albums')
  if (albums.length === 0) el.append(h('p.hint', {}, canWrite ? 'No albums yet. Create one, then add photos to it from their page.' : 'No albums yet.'))
  for (const a of albums) {
    const cover = a.cover ? h('img', { src: `/api/assets/${a.cover}/thumbnail`, alt: '', loading: 'lazy' }) : h('span.cover-empty', { 'aria-hidden': 'true' })
    list.append(h('li', {}, h('a.album-card', { href: `/albums/${a.id}` }, cover, h('span.album-title', {}, a.title), h('span.hint', {}, `${a.count} ${a.count === 1 ? 'item' : 'items'}`))))
  }
  return el
}

export async function albumView(id: string, canWrite: boolean, open: Open): Promise<{ el: HTMLElement; grid: WindowedGrid }> {
  type AlbumPage = Album & { items: Summary[] }
  const read = () => api<AlbumPage>('GET', `/api/albums/${id}${query({ limit: PAGE })}`)
  let first: AlbumPage | undefined = await read()
  const title = first.title
  const counter = h('span.hint', {}, '')
  const showCount = (count: number) => (counter.textContent = `${count} ${count === 1 ? 'item' : 'items'}`)
  showCount(first.count)
  const grid = new WindowedGrid({
    label: `Items of ${title}`, backHref: `/albums/${id}`, open, route: (item) => `/albums/${id}/item/${item}`,
    empty: nothing('This album is empty. Open a photo and use “Add to album”.'),
    source: {
      // The album read for its title is the first answer; a reload (an item removed) reads it again.
      async sections() {
        const album = first ?? (await read())
        first = undefined
        showCount(album.count)
        return [{ key: id, count: album.count, items: album.items }]
      },
      window: async (_, offset, limit) => (await api<AlbumPage>('GET', `/api/albums/${id}${query({ offset, limit })}`)).items,
    },
  })
  const head = h('div.page-head', {}, h('h1', {}, title), counter)
  const el = h('div.page', {}, head)
  if (canWrite) {
    const shares = h('section.album-shares', { 'aria-label': 'Share links' })
    const listShares = () => void sharesList(id)
      .then((list) => shares.replaceChildren(h('h2', {}, 'Share links'), list.childElementCount ? list : h('p.hint', {}, 'No links yet.')))
      .catch(() => shares.remove())
    head.append(h('button.secondary', { type: 'button', onclick: () => shareDialog({ album: id }, title, listShares) }, 'Share album'))
    listShares()
    el.append(grid.el, shares)
  } else el.append(grid.el)
  return { el, grid }
}

/** /s/<token>: what the link shows, without an account. */
export async function shareView(token: string, open: Open): Promise<{ el: HTMLElement; grid?: WindowedGrid }> {
  try {
    const info = await api<{ kind: 'album' | 'asset'; album?: string; asset?: string; title?: string; count?: number; expiresAt?: string }>('GET', '/api/share')
    const asset = info.kind === 'asset' ? info.asset : undefined
    let count = info.count
    const grid = new WindowedGrid({
      label: info.title ?? 'Shared items', backHref: `/s/${token}`, open, route: (id) => `/s/${token}/item/${id}`,
      empty: nothing('Nothing is shared here any more.'),
      source: asset
        ? { next: async () => ({ items: [await api<Summary>('GET', `/api/assets/${asset}`)] }) }
        : {
            // The answer read for the title is the first count; a reload reads it again.
            async sections() {
              const known = count ?? (await api<{ count?: number }>('GET', '/api/share')).count
              count = undefined
              return [{ key: token, count: known ?? 0 }]
            },
            window: async (_, offset, limit) => (await api<Page>('GET', `/api/assets${query({ offset, limit })}`)).items,
          },
    })
    const expires = info.expiresAt ? ` The link expires ${dateLabel(info.expiresAt)}.` : ''
    const el = h('div.page', {}, h('h1', {}, info.title ?? (info.kind === 'album' ? 'Shared album' : 'Shared photo')), h('p.hint', {}, `Shared with you by link.${expires}`), grid.el)
    return { el, grid }
  } catch (err) {
    const gone = err instanceof ApiError && (err.code === 'SHARE_NOT_FOUND' || err.code === 'SHARE_EXPIRED' || err.status === 404 || err.status === 410)
    const text = err instanceof ApiError && err.code === 'SHARE_EXPIRED' ? 'This link has expired.' : gone ? 'This link does not exist or was revoked.' : 'The shared items cannot be loaded right now.'
    return { el: h('div.page', {}, h('h1', {}, 'Shared link'), h('p.error', { role: 'alert' }, text)) }
  }
}
