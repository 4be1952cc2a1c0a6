import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { openStores, type Store, type Stores } from '@everlock/versioned-storage'
import { openJobQueue, type JobQueue } from '@everlock/jobs'
import { createImageLibrary, type ImageLibrary, type ImageLibraryOptions } from '@everlock/backend-image'

export interface TestLibrary {
  readonly url: string
  readonly dir: string
  readonly store: Store
  readonly stores: Stores
  readonly jobs: JobQueue
  readonly library: ImageLibrary
  readonly errors: unknown[]
  /** Close the server, library, queue and stores (keeps the directory). */
  stop(): Promise<void>
  /** stop() and remove the directory. */
  close(): Promise<void>
}

export interface TestLibraryOptions extends Partial<Omit<ImageLibraryOptions, 'store' | 'jobs'>> {
  /** Reuse a directory (a restart). */
  readonly dir?: string
  /** Do not start the queue (derived work stays pending). */
  readonly paused?: boolean
  readonly maxAttempts?: number
  /** Serve the library some other way than a bare node:http server (behind the HTTP frontend, say). */
  readonly serve?: (library: ImageLibrary) => Promise<{ readonly url: string; close(): Promise<void> }>
}

/** A library over a real LevelDB store and a real job queue in a temp dir, in a bare node:http server on a free port. */
export async function startLibrary(opts: TestLibraryOptions = {}): Promise<TestLibrary> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'everlock-image-test-')))
  const stores = await openStores({ dir: join(dir, 'data') })
  const store = await stores.open('images')
  const jobs = await openJobQueue({ dir: join(dir, 'jobs'), maxAttempts: opts.maxAttempts ?? 3, retry: { baseMs: 20, factor: 2, maxMs: 200, jitter: 0 } })
  const errors: unknown[] = []
  const library = createImageLibrary({ log: (m, e) => errors.push(e ?? m), ...opts, store, jobs })
  if (!opts.paused) jobs.start()
  await library.ready
  const served = await (opts.serve ?? serveBare)(library)
  const url = served.url
  const stop = async () => {
    await served.close()
    await library.close()
    await jobs.close({ timeoutMs: 5000 })
    await stores.close()
  }
  return { url, dir, store, stores, jobs, library, errors, stop, close: async () => (await stop(), await rm(dir, { recursive: true, force: true })) }
}

async function serveBare(library: ImageLibrary): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(library)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) }
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Upload raw bytes; returns status and JSON. */
export async function uploadRaw(url: string, bytes: Buffer, filename: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/api/assets`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': encodeURIComponent(filename), ...headers } })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

export async function uploadMultipart(url: string, files: ReadonlyArray<{ name: string; bytes: Buffer; type?: string }>, headers: Record<string, string> = {}) {
  const form = new FormData()
  for (const f of files) form.append('file', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name)
  const res = await fetch(`${url}/api/assets`, { method: 'POST', body: form, headers })
  return { status: res.status, body: (await res.json()) as any }
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

/** Wait until the item's derived work has ended (done or failed), as the API reports it. */
export async function waitDerived(url: string, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { body } = await getJson(`${url}/api/assets/${id}`)
    if (body.jobs?.derive?.state === 'done' || body.jobs?.derive?.state === 'failed') {
      if (body.jobs.derive.state === 'done' && body.derivatives.length > 0) return body
      if (body.jobs.derive.state === 'failed' && body.jobs.derive.error) return body
    }
    if (Date.now() > deadline) throw new Error(`derived work of ${id} did not end: ${JSON.stringify(body.jobs)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export async function commitsOf(store: Store): Promise<Array<{ author: string; message: string; paths: readonly string[] }>> {
  const out = []
  for await (const c of store.log()) out.push(c)
  return out
}
