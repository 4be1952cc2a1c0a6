import { createServer, type AddressInfo, type Socket } from 'node:net'
import { SshError } from './errors.js'
import { loadOrCreateHostKey } from './host-key.js'
import { serveConnection } from './connection.js'
import { Server, type Connection } from './ssh2.js'
import { FailureThrottle } from './throttle.js'
import type { ConsoleInterpreter, SshAuth, SshLog } from './types.js'

export interface SshServerOptions {
  /** Where the ed25519 host key lives; created (mode 0600) on first start. */
  readonly hostKeyPath: string
  readonly auth: SshAuth
  readonly interpreter: ConsoleInterpreter
  /** First line of an interactive shell. */
  readonly banner?: string
  readonly prompt?: string
  /** Close connections with no input for this long (default 15 minutes; 0 = never). */
  readonly idleTimeoutMs?: number
  /** Close connections that have not logged in after this long (default 60 s). */
  readonly loginTimeoutMs?: number
  /** Connections served at once; more are refused at connect (default 100). */
  readonly maxConnections?: number
  /** Delay before answering the n-th failed login from one address (default 250 ms doubling, max 5 s). */
  readonly failureDelayMs?: (failures: number) => number
  readonly log?: SshLog
}

export interface SshServer {
  /** `host:port` (`127.0.0.1:2222`, `[::1]:0`); resolves with the port bound. */
  listen(address: string): Promise<{ port: number; host: string }>
  /** Stop listening and close every connection. */
  close(): Promise<void>
  /** `SHA256:…` of the host key (what clients are asked to trust). */
  readonly fingerprint: string
}

function parseListen(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address)
  const port = m ? Number(m[3]) : NaN
  if (!m || port > 65535) throw new SshError('LISTEN_INVALID', `listen address must be host:port, not '${address}'`)
  return { host: (m[1] ?? m[2])!, port }
}

export async function createSshServer(options: SshServerOptions): Promise<SshServer> {
  const hostKey = await loadOrCreateHostKey(options.hostKeyPath)
  const log = options.log ?? (() => {})
  const banner = options.banner ?? 'Everlock Admin'
  const prompt = options.prompt ?? '> '
  const idleMs = options.idleTimeoutMs ?? 15 * 60_000
  const throttle = new FailureThrottle(options.failureDelayMs)
  const loginMs = options.loginTimeoutMs ?? 60_000
  const connections = new Set<Connection>()

  const server = new Server({ hostKeys: [hostKey.privateKey] }, (client, info) => {
    connections.add(client)
    client.on('close', () => connections.delete(client))
    const socket = sockets.get(`${info.ip}|${info.port}`)
    serveConnection(client, info, {
      auth: options.auth,
      interpreter: options.interpreter,
      throttle,
      log,
      banner,
      prompt,
      idleMs,
      loggedIn: () => socket && loggedIn.add(socket),
      destroy: () => socket?.destroy(),
    })
  })
  server.on('error', (err: Error) => log('ssh server error', { err: err.message }))

  // Our own TCP listener hands sockets to ssh2 (injectSocket), so that a client that never finishes the
  // handshake and login (ssh2 only reports a connection after the client's version line) is still cut off.
  const sockets = new Map<string, Socket>()
  const loggedIn = new WeakSet<Socket>()
  const tcp = createServer((sock) => {
    const key = `${sock.remoteAddress}|${sock.remotePort}`
    sockets.set(key, sock)
    const loginTimer = setTimeout(() => {
      if (loggedIn.has(sock)) return
      log('ssh login timeout', { address: sock.remoteAddress })
      sock.destroy()
    }, loginMs)
    loginTimer.unref()
    sock.once('close', () => {
      clearTimeout(loginTimer)
      if (sockets.get(key) === sock) sockets.delete(key)
    })
    sock.on('error', () => {})
    server.injectSocket(sock)
  })
  tcp.maxConnections = options.maxConnections ?? 100
  tcp.on('error', (err: Error) => log('ssh listener error', { err: err.message }))

  return {
    fingerprint: hostKey.fingerprint,
    listen(address) {
      const { host, port } = parseListen(address)
      return new Promise((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen(port, host, () => {
          tcp.off('error', reject)
          resolve({ port: (tcp.address() as AddressInfo).port, host })
        })
      })
    },
    close() {
      for (const c of connections) c.end()
      for (const sock of sockets.values()) sock.destroy()
      return new Promise((resolve) => tcp.close(() => resolve()))
    },
  }
}
