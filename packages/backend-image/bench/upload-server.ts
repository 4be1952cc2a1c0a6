// The server side of bench/upload.ts, in its own process so its RSS is its own.
//   tsx bench/upload-server.ts <dir> library|putblob   → prints `port <n>`
// `putblob`: a handler that only streams the body into store.putBlob — what a registry's monolithic blob push
// does (hash, fsync, publish) without the library's work: the baseline.
import { createServer } from 'node:http'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { openStores } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createImageLibrary } from '../src/index.js'

const [dir, mode] = [process.argv[2]!, process.argv[3]!]
const stores = await openStores({ dir: join(dir, 'data') })
const store = await stores.open('bench')
let handler
if (mode === 'library') {
  const jobs = await openJobQueue({ dir: join(dir, 'jobs') }) // not started: the upload alone is measured
  const library = createImageLibrary({ store, jobs, log: console.error, limits: { maxUploadBytes: 64 * 1024 ** 3 } })
  await library.ready
  handler = library
} else {
  handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    store.putBlob(req).then(
      (blob) => res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(blob)),
      (err: unknown) => res.writeHead(500).end(String(err)),
    )
  }
}
const server = createServer(handler)
server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port}`))
