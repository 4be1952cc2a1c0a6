// The gallery as `everlock serve` runs it, in a bare node:http server: a real LevelDB store and job queue, users
// and grants in a real @everlock/auth-grants store, login sessions from it (a test-local equivalent of the app's
// image-sessions wiring: cookie `everlock_session`, CSRF token bound to the session by HMAC).
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { openStores, type Store, type Stores } from '@everlock/versioned-storage'
import { openJobQueue, type JobQueue } from '@everlock/jobs'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createImageLibrary, type ImageLibrary } from '@everlock/backend-image'
import type { Authorize, LibrarySessions } from '../../src/types.js'

export const INSTANCE = 'http/image/photos'
const COOKIE = 'everlock_session'

export interface GalleryServer {
  readonly url: string
  readonly auth: Auth
  readonly library: ImageLibrary
  close(): Promise<void>
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === COOKIE) return v.join('=')
  }
  return undefined
}

export function sessionsFor(auth: Auth, instance: string): { sessions: LibrarySessions; authorize: Authorize } {
  const key = randomBytes(32)
  const csrf = (secret: string) => createHmac('sha256', key).update(secret).digest('base64url')
  const sessions: LibrarySessions = {
    async login(_req, user, password) {
      const identity = await auth.verifyPassword(user, password)
      if (!identity) return { ok: false, status: 401, code: 'LOGIN_FAILED' }
      const role = await auth.effectiveRole(identity, instance)
      if (!role) return { ok: false, status: 403, code: 'NO_ACCESS' }
      const s = await auth.createSession(identity.user)
      const maxAge = Math.max(0, Math.floor((Date.parse(s.expiresAt) - Date.now()) / 1000))
      return { ok: true, user: identity.user, role, cookie: `${COOKIE}=${s.secret}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAge}`, csrfToken: csrf(s.secret), expiresAt: s.expiresAt }
    },
    async logout(req) {
      const secret = cookieOf(req)
      if (secret) await auth.endSession(secret)
      return { cookie: `${COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0` }
    },
    csrfTokenFor(req) {
      const secret = cookieOf(req)
      return secret ? csrf(secret) : undefined
    },
  }
  const authorize: Authorize = async (req, need) => {
    const secret = cookieOf(req)
    const identity = secret ? await auth.verifySession(secret) : undefined
    const who = identity ?? 'anon'
    if (await auth.can(who, instance, need.role)) return { ok: true, identity: { user: identity?.user ?? 'anon', via: identity ? 'session' : 'anon' } }
    return identity ? { ok: false, status: 403 } : { ok: false, status: 401 }
  }
  return { sessions, authorize }
}

export interface GalleryOptions {
  readonly users?: ReadonlyArray<{ name: string; password: string; role?: 'reader' | 'writer' | 'owner' }>
  /** `anon` gets Reader: a public gallery. */
  readonly publicGallery?: boolean
  /** Fill the library's store before the library opens (the bench writes its items here). */
  readonly seed?: (store: Store) => Promise<void>
}

export async function startGallery(opts: GalleryOptions = {}): Promise<GalleryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-gallery-'))
  const stores: Stores = await openStores({ dir: join(dir, 'data') })
  const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 1024 } })
  await auth.bootstrapAdmin('admin', 'admin-password')
  for (const u of opts.users ?? []) {
    await auth.addUser(u.name, u.password, { by: 'admin' })
    if (u.role) await auth.grant(u.name, INSTANCE, u.role, { by: 'admin' })
  }
  if (opts.publicGallery) await auth.grant('anon', INSTANCE, 'reader', { by: 'admin' })
  const jobs: JobQueue = await openJobQueue({ dir: join(dir, 'jobs') })
  const { sessions, authorize } = sessionsFor(auth, INSTANCE)
  const store = await stores.open('photos')
  if (opts.seed) await opts.seed(store)
  const library = createImageLibrary({ store, jobs, authorize, sessions, log: (m, e) => console.error(m, e) })
  jobs.start()
  await library.ready
  const server: Server = createServer(library)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    auth,
    library,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await library.close()
      await jobs.close({ timeoutMs: 5000 })
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
