// The gallery bench's server (bench/gallery.ts): a library over a store the bench fills before the library opens
// (100,000 items in seconds, which uploads through `everlock serve` could not do), behind the real HTTP frontend
// with real auth-grants and the frontend's web sessions, wired as `everlock serve` wires an image vhost. The browser
// end-to-end tests of the gallery run against `everlock serve` itself: apps/everlock/test/e2e/gallery-browser.test.ts.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStores, type Store } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createAuth } from '@everlock/auth-grants'
import { createHttpFrontend, createWebSessions, renderJsonError } from '@everlock/frontend-http'
import { createImageLibrary } from '@everlock/backend-image'

const INSTANCE = 'photos'
const ACCESS = `http/image/${INSTANCE}`

export interface GalleryServer {
  readonly url: string
  close(): Promise<void>
}

export interface GalleryOptions {
  /** `anon` gets Reader: a public gallery. */
  readonly publicGallery?: boolean
  /** Fill the library's store before the library opens. */
  readonly seed?: (store: Store) => Promise<void>
}

export async function startGallery(opts: GalleryOptions = {}): Promise<GalleryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-gallery-'))
  const stores = await openStores({ dir: join(dir, 'data') })
  const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 1024 } })
  await auth.bootstrapAdmin('admin', 'admin-password')
  if (opts.publicGallery) await auth.grant('anon', ACCESS, 'reader', { by: 'admin' })
  const jobs = await openJobQueue({ dir: join(dir, 'jobs') })
  const store = await stores.open(INSTANCE)
  if (opts.seed) await opts.seed(store)
  const frontend = createHttpFrontend({ auth, metrics: { listen: '' } })
  const library = createImageLibrary({
    store,
    jobs,
    authorize: frontend.authorizer(ACCESS),
    sessions: createWebSessions({ auth, frontend, accessPath: ACCESS }),
    log: (m, e) => console.error(m, e),
  })
  jobs.start()
  await library.ready
  frontend.vhosts.set('127.0.0.1', { backend: 'image', instance: INSTANCE, accessPath: ACCESS, handler: library, authorizesItself: true, renderError: renderJsonError })
  const { port } = await frontend.listen('127.0.0.1:0')
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await frontend.close()
      await library.close()
      await jobs.close({ timeoutMs: 5000 })
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
