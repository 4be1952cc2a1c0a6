// node serve.mjs → prints port; default scrypt cost (N=2^15)
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStores } from '@everlock/versioned-storage'
import { createAuth } from '@everlock/auth-grants'
import { createHttpFrontend } from '@everlock/frontend-http'

const stores = await openStores({ dir: await mkdtemp(join(tmpdir(), 'fh-bench-')) })
const auth = await createAuth({ store: await stores.open('everlock-system') })
await auth.bootstrapAdmin('admin', 'admin-pw')
await auth.addUser('alice', 'alice-pw', { by: 'admin' })
await auth.grant('alice', 'http/oci/default', 'writer', { by: 'admin' })
const ttl = Number(process.env.TTL ?? 60000)
const frontend = createHttpFrontend({ auth, metrics: { listen: '' }, credentialCache: { ttlMs: ttl } })
frontend.vhosts.set('localhost', { backend: 'oci', instance: 'default', accessPath: 'http/oci/default', authorizesItself: false,
  handler: (req, res) => { res.setHeader('content-type', 'application/json'); res.end('{}') } })
const { port } = await frontend.listen('127.0.0.1:0')
console.log(port)
process.on('SIGTERM', async () => { await frontend.close(); await stores.close(); process.exit(0) })
