// The gallery's shell and router. Vanilla TypeScript on the DOM: no framework runtime to ship or update, and the
// one part that must be fast (the virtualised timeline) manages its own nodes anyway.
import { api, ApiError, setCsrf, setShareToken, type Session, type Summary } from './api.js'
import type { ItemContext } from './context.js'
import { h } from './dom.js'
import type { WindowedGrid } from './grid.js'
import { timeline as timelineGrid, type Early, type Month } from './timeline.js'
import { MONTHS_URL, NEWEST_URL, SESSION_URL } from '../src/web-preload.js'
import { Viewer } from './viewer.js'
import { Uploads, acceptDrops } from './upload.js'
import { albumView, albumsView, loginView, searchView, shareView } from './views.js'

interface Base {
  readonly key: string
  readonly grid?: WindowedGrid
  stop(): void
}

const ID = '([0-9a-f]{64})'
const root = document.getElementById('app')!
let session: Session | undefined
let base: Base | undefined
let viewer: Viewer | undefined
let pendingCtx: ItemContext | undefined
let sharing = ''
let routing = 0
let early: Early | undefined

const main = h('main', { id: 'main', tabindex: '-1' })
const uploads = new Uploads(() => refreshSoon())
const picker = h('input.sr-only', { type: 'file', multiple: true, accept: 'image/*,video/*', tabindex: '-1', 'aria-hidden': 'true', id: 'file-picker' })
picker.addEventListener('change', () => {
  if (picker.files?.length) uploads.add([...picker.files])
  picker.value = ''
})

const canWrite = () => !!session && !session.anonymous && (session.role === 'writer' || session.role === 'owner')
const canDelete = () => !!session && !session.anonymous && session.role === 'owner'

let refreshTimer = 0
function refreshSoon(): void {
  clearTimeout(refreshTimer)
  // New uploads show on the timeline; other lists (search, albums) keep what they showed.
  refreshTimer = window.setTimeout(() => void (base?.key === 'timeline' ? base.grid?.reload() : undefined), 250)
}

export function go(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href)
  else history.pushState(null, '', href)
  void route()
}

function header(): HTMLElement {
  if (sharing) return h('header.bar', {}, h('span.brand', {}, 'Photos'))
  const nav = h('nav', { 'aria-label': 'Main' },
    link('/', 'Timeline'), link('/albums', 'Albums'), link('/search', 'Search'))
  const tools = h('div.tools')
  if (canWrite()) tools.append(h('button', { type: 'button', onclick: () => picker.click() }, 'Upload'))
  if (session && !session.anonymous) {
    tools.append(h('span.user', { title: `Logged in as ${session.user}` }, session.user),
      h('button.secondary', { type: 'button', onclick: () => void logout() }, 'Log out'))
  } else tools.append(h('a.button.secondary', { href: '/login', onclick: navClick }, 'Log in'))
  return h('header.bar', {}, h('a.brand', { href: '/', onclick: navClick }, 'Photos'), nav, tools)
}

function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href, onclick: navClick }, text)
}

function navClick(e: Event): void {
  const m = e as MouseEvent
  if (m.button !== 0 || m.metaKey || m.ctrlKey || m.shiftKey) return
  e.preventDefault()
  go((e.currentTarget as HTMLAnchorElement).getAttribute('href')!)
}

function markNav(): void {
  for (const a of root.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const href = a.getAttribute('href')!
    const here = href === '/' ? location.pathname === '/' || location.pathname.startsWith('/item/') : location.pathname.startsWith(href)
    if (here) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
}

function shell(): void {
  root.replaceChildren(h('a.skip', { href: '#main' }, 'Skip to content'), header(), main, uploads.el, picker)
}

async function logout(): Promise<void> {
  try {
    await api('DELETE', '/api/session')
  } catch {
    // the cookie may already be gone; the login page comes either way
  }
  session = undefined
  setCsrf('')
  base?.stop()
  base = undefined
  go('/login')
}

function openItem(ctx: ItemContext, id: string): void {
  pendingCtx = ctx
  go(ctx.hrefOf(id))
}

/** Show a page; its list (if any) starts once it is in the document, since it measures itself there. */
function setBase(key: string, el: Node, grid?: WindowedGrid): void {
  base?.stop()
  base = { key, ...(grid ? { grid } : {}), stop: () => grid?.stop() }
  main.replaceChildren(el)
  void grid?.start()
}

async function route(): Promise<void> {
  const my = ++routing
  const path = location.pathname
  const params = new URLSearchParams(location.search)
  let key: string
  let item: string | undefined
  let m: RegExpExecArray | null
  if ((m = new RegExp(`^/s/([A-Za-z0-9_-]+)(?:/item/${ID})?/?$`).exec(path))) {
    key = `share:${m[1]}`
    item = m[2]
    if (sharing !== m[1]) {
      sharing = m[1]!
      setShareToken(sharing)
      shell()
      base?.stop()
      base = undefined
    }
  } else if (path === '/login') {
    closeViewer()
    base?.stop()
    base = undefined
    document.title = 'Log in · Photos'
    root.replaceChildren(loginView((s) => {
      session = s
      shell()
      go('/', true)
    }))
    return
  } else if (!session) {
    return void go('/login', true)
  } else if ((m = new RegExp(`^/albums/([A-Za-z0-9_-]+)(?:/item/${ID})?/?$`).exec(path))) {
    key = `album:${m[1]}`
    item = m[2]
  } else if (path === '/albums') key = 'albums'
  else if (path === '/search') key = `search${location.search}`
  else if ((m = new RegExp(`^/item/${ID}/?$`).exec(path))) {
    item = m[1]
    key = base?.grid && !base.key.startsWith('album:') && !base.key.startsWith('share:') ? base.key : 'timeline'
  } else key = 'timeline'

  if (!root.querySelector('header.bar')) shell()
  markNav()
  if (base?.key !== key) {
    closeViewer()
    try {
      await buildBase(key, params)
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !sharing) return void go('/login', true)
      main.replaceChildren(h('div.page', {}, h('p.error', { role: 'alert' }, `This page cannot be loaded (${err instanceof ApiError ? err.code : 'network error'}).`)))
      return
    }
    if (my !== routing) return
  }
  if (item) await showItem(item)
  else {
    closeViewer()
    document.title = titleOf(key)
  }
}

function titleOf(key: string): string {
  if (key === 'albums') return 'Albums · Photos'
  if (key.startsWith('search')) return 'Search · Photos'
  if (key.startsWith('album:')) return 'Album · Photos'
  if (key.startsWith('share:')) return 'Shared · Photos'
  return 'Photos'
}

async function buildBase(key: string, params: URLSearchParams): Promise<void> {
  if (key === 'timeline') {
    const empty = () => h('div.empty', {}, h('h2', {}, 'No photos yet'), h('p', {}, canWrite() ? 'Use Upload, or drop photos and videos anywhere on this page.' : 'Nothing has been added to this library yet.'))
    const t = timelineGrid(openItem, empty, early)
    early = undefined
    setBase(key, h('div.page.timeline-page', {}, h('h1.sr-only', {}, 'Timeline'), t.el), t)
  } else if (key === 'albums') {
    setBase(key, await albumsView(canWrite(), go))
  } else if (key.startsWith('search')) {
    const { el, grid } = searchView(params, openItem, go)
    setBase(key, el, grid)
  } else if (key.startsWith('album:')) {
    const { el, grid } = await albumView(key.slice('album:'.length), canWrite(), openItem)
    setBase(key, el, grid)
  } else if (key.startsWith('share:')) {
    const { el, grid } = await shareView(key.slice('share:'.length), openItem)
    setBase(key, el, grid)
  }
}

async function showItem(id: string): Promise<void> {
  const ctx = pendingCtx ?? base?.grid
  pendingCtx = undefined
  if (!ctx) return
  if (!viewer) {
    const album = base?.key.startsWith('album:') ? base.key.slice('album:'.length) : undefined
    viewer = new Viewer(ctx, { write: canWrite() && !sharing, remove: canDelete() && !sharing, share: canWrite() && !sharing, ...(album && canWrite() ? { album } : {}) }, (href, replace) => go(href, replace))
    document.body.append(viewer.el)
    document.documentElement.classList.add('viewing')
    root.inert = true
  }
  await viewer.show(id)
}

function closeViewer(): void {
  if (!viewer) return
  const v = viewer
  viewer = undefined
  root.inert = false
  document.documentElement.classList.remove('viewing')
  v.destroy()
  if (v.currentId) base?.grid?.reveal(v.currentId)
}

async function boot(): Promise<void> {
  window.addEventListener('popstate', () => void route())
  acceptDrops((files) => uploads.add([...files]), () => canWrite() && !sharing)
  if (!location.pathname.startsWith('/s/')) {
    // The timeline's first screen does not wait for the session round trip: ask for all three at once (the HTML's
    // Link header has already started them; these fetches are answered from that preload).
    if (location.pathname === '/') {
      const months = api<{ months: Month[] }>('GET', MONTHS_URL).then((r) => r.months)
      early = { months, newest: api<{ items: Summary[] }>('GET', NEWEST_URL).then((r) => r.items) }
      months.catch(() => undefined)
      early.newest.catch(() => undefined)
    }
    try {
      // A stale cookie gets a 401 that also clears it: ask once more (a public gallery then answers anonymous).
      const s = await api<Session>('GET', SESSION_URL).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return api<Session>('GET', SESSION_URL)
        throw err
      })
      session = s
      setCsrf(s.csrfToken)
    } catch (err) {
      early = undefined
      if (!(err instanceof ApiError) || err.status !== 401) {
        root.replaceChildren(h('main.login-page', { id: 'main' }, h('p.error', { role: 'alert' }, 'The server cannot be reached. Reload to try again.')))
        return
      }
    }
  }
  await route()
}

void boot()
