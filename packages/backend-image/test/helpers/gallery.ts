// The library behind the real HTTP frontend, authorized by real auth-grants (LevelDB), with the app's login sessions.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createHttpFrontend, renderJsonError, type HttpFrontend, type LoginThrottleOptions } from '@everlock/frontend-http'
import { createWebSessions } from '@everlock/frontend-http'
import { startLibrary, type TestLibrary, type TestLibraryOptions } from './library.js'

export const ACCESS = 'http/image/photos'
const admin = { by: 'admin' }

export interface TestGallery extends TestLibrary {
  readonly auth: Auth
  readonly frontend: HttpFrontend
}

/**
 * Users: alice (writer), olga (owner), rita (reader), bob (owner of another instance only); passwords `<name>-pw`.
 * `withSessions: false` leaves login out.
 */
export async function startGallery(opts: TestLibraryOptions & { withSessions?: boolean; throttle?: LoginThrottleOptions } = {}): Promise<TestGallery> {
  const authDir = await mkdtemp(join(tmpdir(), 'everlock-image-auth-'))
  const authStores: Stores = await openStores({ dir: authDir })
  const auth = await createAuth({ store: await authStores.open('everlock-system'), kdf: { N: 2 ** 10 } })
  await auth.bootstrapAdmin('admin', 'admin-pw')
  for (const [user, role] of [['alice', 'writer'], ['olga', 'owner'], ['rita', 'reader']] as const) {
    await auth.addUser(user, `${user}-pw`, admin)
    await auth.grant(user, ACCESS, role, admin)
  }
  await auth.addUser('bob', 'bob-pw', admin)
  await auth.grant('bob', 'http/image/other', 'owner', admin)
  const frontend = createHttpFrontend({ auth, metrics: { listen: '' }, throttle: opts.throttle ?? { baseDelayMs: 20, maxDelayMs: 100 } })
  const sessions = opts.withSessions === false ? undefined : createWebSessions({ auth, frontend, accessPath: ACCESS })
  const lib = await startLibrary({
    ...opts,
    authorize: frontend.authorizer(ACCESS),
    ...(sessions ? { sessions } : {}),
    serve: async (library) => {
      frontend.vhosts.set('127.0.0.1', { backend: 'image', instance: 'photos', accessPath: ACCESS, handler: library, authorizesItself: true, renderError: renderJsonError })
      const { port } = await frontend.listen('127.0.0.1:0')
      return { url: `http://127.0.0.1:${port}`, close: () => frontend.close() }
    },
  })
  const close = async () => {
    await lib.close()
    await authStores.close()
    await rm(authDir, { recursive: true, force: true })
  }
  return { ...lib, auth, frontend, close }
}

export const basicAuth = (user: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${user}-pw`).toString('base64')}` })

/** Log in through POST /api/session; the cookie pair and CSRF token. */
export async function loginAs(url: string, user: string, password = `${user}-pw`): Promise<{ cookie: string; csrfToken: string; body: any; status: number; setCookie: string | null }> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, password }) })
  const body = (await res.json()) as any
  const setCookie = res.headers.get('set-cookie')
  return { status: res.status, body, setCookie, cookie: setCookie?.split(';')[0] ?? '', csrfToken: body.csrfToken }
}
