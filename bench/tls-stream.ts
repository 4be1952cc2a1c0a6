// What a streamed blob body costs over TLS, with nothing else in the way: a bare Node server (the frontend's TLS
// settings) sends one file with createReadStream at several read sizes to curl, over HTTPS and over plain HTTP.
//   pnpm --filter @everlock/bench exec tsx tls-stream.ts [sizeMiB=1024] [reads=65536,1048576,4194304] [tries=3]
import { execFile, execFileSync } from 'node:child_process'
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { TLS12_CIPHERS, TLS13_CIPHERSUITES } from '@everlock/frontend-http'
import { createTestCa } from '@everlock/frontend-http/testing'

const [sizeText = '1024', readsText = '65536,1048576,4194304', triesText = '3'] = process.argv.slice(2)
const size = Number(sizeText) << 20
const dir = mkdtempSync(join(tmpdir(), 'everlock-tls-stream-'))
const file = join(dir, 'blob.bin')
execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${sizeText}`], { stdio: 'ignore' })
const ca = createTestCa()
const pair = ca.issue(['localhost', '127.0.0.1'])
writeFileSync(join(dir, 'ca.pem'), ca.cert)
ca.cleanup()

let readSize = 1 << 20
const send = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
  pipeline(createReadStream(file, { highWaterMark: readSize }), res).catch(() => undefined)
}
const servers: Record<'https' | 'http', Server> = {
  https: createHttpsServer({ ...pair, minVersion: 'TLSv1.2', ciphers: `${TLS13_CIPHERSUITES}:${TLS12_CIPHERS}`, honorCipherOrder: true }, send),
  http: createHttpServer(send),
}
try {
  for (const [scheme, server] of Object.entries(servers)) {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as { port: number }
    for (const read of readsText.split(',').map(Number)) {
      readSize = read
      const rates: string[] = []
      for (let i = 0; i < Number(triesText); i++) {
        const { stdout } = await promisify(execFile)('curl', ['--cacert', join(dir, 'ca.pem'), '-sf', '-o', '/dev/null', '-w', '%{speed_download}', `${scheme}://127.0.0.1:${port}/`])
        rates.push((Number(stdout) / 1e6).toFixed(0))
      }
      console.log(`${scheme.padEnd(5)} reads of ${String(read >> 10).padStart(5)} KiB: ${rates.join(' ')} MB/s`)
    }
    server.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
