// A library in its own process (for kill -9): argv[2] is the directory; prints `port <n>` once listening.
import { createServer } from 'node:http'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { openStores } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createImageLibrary } from '../../src/index.js'

const dir = process.argv[2]!
const stores = await openStores({ dir: join(dir, 'data') })
const jobs = await openJobQueue({ dir: join(dir, 'jobs'), maxAttempts: 3, retry: { baseMs: 20, factor: 2, maxMs: 200, jitter: 0 } })
const library = createImageLibrary({ store: await stores.open('images'), jobs, log: () => {} })
jobs.start()
await library.ready
const server = createServer(library)
server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port}`))
