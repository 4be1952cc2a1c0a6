import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { createAuth, type Auth } from '@everlock/auth-grants'

export interface System {
  auth: Auth
  /** How many times the real verifyPassword (the KDF) ran. */
  readonly kdfRuns: number
  close(): Promise<void>
}

/** Real versioned-storage in a temp dir and real auth-grants over it (small scrypt cost unless `kdfN` is given). */
export async function openSystem(kdfN = 2 ** 10): Promise<System> {
  const dir = await mkdtemp(join(tmpdir(), 'frontend-http-'))
  const stores: Stores = await openStores({ dir })
  const real = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: kdfN } })
  let kdfRuns = 0
  // Counts KDF runs; every call still goes to the real auth object.
  const auth = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'verifyPassword') {
        return (user: string, password: string) => {
          kdfRuns++
          return target.verifyPassword(user, password)
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return {
    auth,
    get kdfRuns() {
      return kdfRuns
    },
    async close() {
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export const admin = { by: 'admin' }

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
  ms: number
}

export function request(
  port: number,
  opts: { address?: string; host?: string; path?: string; method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Reply> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        agent: opts.agent ?? false,
        headers: { host: opts.host ?? 'localhost', ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

export const basic = (user: string, password: string): Record<string, string> => ({
  authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'),
})

/**
 * A stand-in backend (the backend is not under test): echoes what it saw, streaming the request body
 * back so that a body the frontend had consumed would show up empty.
 */
export function echoBackend(name: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ backend: name, url: req.url, method: req.method, body: Buffer.concat(chunks).toString('utf8') }))
    })
  }
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) as is on a new connection,
 * for what a well-behaved client cannot send (two Host headers, an absolute-form target), and reads the answer.
 */
export function rawRequest(port: number, head: string): Promise<Omit<Reply, 'ms'>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\nConnection: close\r\n\r\n`))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const end = text.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
      const headers: IncomingHttpHeaders = {}
      for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim()
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) })
    })
  })
}
