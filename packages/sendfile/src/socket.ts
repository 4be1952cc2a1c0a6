import type { Socket } from 'node:net'
import type { ServerResponse } from 'node:http'

type WithHandle = Socket & { _handle?: { fd?: number; writeQueueSize?: number } | null; encrypted?: boolean; _httpMessage?: unknown }

/**
 * The socket's descriptor when the response owns a plain TCP connection (not TLS, not a pipelined response
 * still waiting its turn, not an HTTP/2 stream); undefined otherwise.
 */
export function plainSocketFd(res: ServerResponse): number | undefined {
  const socket = res.socket as WithHandle | null
  if (!socket || socket.destroyed || socket.encrypted || socket._httpMessage !== res) return undefined
  const fd = socket._handle?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

const nothingQueued = (socket: WithHandle): boolean => socket.writableLength === 0 && (socket._handle?.writeQueueSize ?? 0) === 0

/**
 * Waits until every byte Node was asked to write is in the kernel (the response head, usually written at once),
 * so bytes written behind Node's back follow it. False if that does not happen within `turns` event-loop turns
 * or the socket closes.
 */
export async function writesFlushed(socket: Socket, turns = 200): Promise<boolean> {
  for (let i = 0; i < turns; i++) {
    if (socket.destroyed) return false
    if (nothingQueued(socket as WithHandle)) return true
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return false
}
