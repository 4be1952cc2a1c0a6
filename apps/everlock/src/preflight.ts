import { createServer } from 'node:net'
import { parseListenAddress } from '@everlock/frontend-http'

/** A listen address the server is about to bind, and the flag that chose it. */
export interface Listener {
  readonly flag: string
  readonly address: string
}

/**
 * Binds each address for a moment and lets it go: one that cannot be listened on (in use, not an address of this
 * machine, a privileged port) is found before anything is created. Returns `flag address: reason` per failure.
 * The real bind can still fail if another process takes the port in between; that is reported as well.
 */
export async function unavailable(listeners: readonly Listener[]): Promise<string[]> {
  const found: string[] = []
  for (const { flag, address } of listeners) {
    const { host, port } = parseListenAddress(address)
    const server = createServer()
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve)
      server.listen({ host, port }, () => resolve(undefined))
    })
    if (error) found.push(`${flag} ${address}: ${reason(error)}`)
    else await new Promise((resolve) => server.close(resolve))
  }
  return found
}

function reason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the address is in use by another process'
    case 'EADDRNOTAVAIL':
      return 'not an address of this machine'
    case 'EACCES':
      return 'not allowed (ports below 1024 need privileges)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve'
    default:
      return err.code ?? err.message
  }
}
