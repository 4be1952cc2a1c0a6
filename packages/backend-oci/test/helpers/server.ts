import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { openStores, type BlobDriver, type Store, type Stores } from '@everlock/versioned-storage'
import { createOciRegistry, type Authorize, type OciRegistry, type SendFile } from '@everlock/backend-oci'

export interface Running {
  base: string
  host: string
  store: Store
  stores: Stores
  registry: OciRegistry
  server: Server
  dir: string
  restart(): Promise<void>
  close(): Promise<void>
}

/** A registry over a real store in a temp dir, mounted in a bare node:http server. */
export async function startRegistry(opts: { authorize?: Authorize; uploadTtlMs?: number; maxManifestBytes?: number; sendFile?: SendFile; pingChallenge?: string; maxUploadsPerUser?: number; redirectBlobGets?: { expiresInSeconds: number }; blobDriver?: (store: string, storeDir: string) => BlobDriver } = {}): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-test-'))
  const running = {} as Running
  async function boot(port = 0) {
    const { blobDriver, ...registryOpts } = opts
    running.stores = await openStores({ dir, ...(blobDriver ? { blobDriver } : {}) })
    running.store = await running.stores.open('oci')
    running.registry = createOciRegistry({ store: running.store, ...registryOpts })
    running.server = createServer(running.registry)
    await new Promise<void>((resolve) => running.server.listen(port, '127.0.0.1', resolve))
    const { port: actual } = running.server.address() as AddressInfo
    running.host = `127.0.0.1:${actual}`
    running.base = `http://${running.host}`
  }
  async function shutdown() {
    running.registry.close()
    running.server.closeAllConnections()
    await new Promise((resolve) => running.server.close(resolve))
    await running.stores.close()
  }
  await boot()
  running.dir = dir
  running.restart = async () => {
    const port = Number(running.host.split(':')[1])
    await shutdown()
    await boot(port)
  }
  running.close = async () => {
    await shutdown()
    await rm(dir, { recursive: true, force: true })
  }
  return running
}
