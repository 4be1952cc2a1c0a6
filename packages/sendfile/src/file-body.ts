import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { SendfileError } from './errors'
import { loadNative } from './native'
import { plainSocketFd, writesFlushed } from './socket'
import { streamBody } from './stream-body'
import type { FileBodySender, FileBodySenderOptions, FileResponse } from './types'
import { transfer } from './zero-copy'

const DEFAULT_STALL_MS = 120_000

/**
 * Makes the function that answers with a file: sendfile(2) from the page cache straight into the socket when
 * it can (a plain TCP connection, a body worth a thread, a free transfer slot), streaming otherwise.
 */
export function createFileBodySender(options: FileBodySenderOptions = {}): FileBodySender {
  const native = options.zeroCopy === false ? { reason: 'turned off by the zeroCopy option' } : loadNative()
  const addon = native.addon
  const minBytes = options.minZeroCopyBytes ?? 256 * 1024
  const maxTransfers = options.maxTransfers ?? 128
  const counts = { zeroCopy: 0, zeroCopyBytes: 0, streamed: 0, streamedBytes: 0, active: 0 }
  const outOfBand = new WeakMap<ServerResponse, number>()

  async function streamed(res: ServerResponse, file: FileResponse): Promise<void> {
    if (!res.headersSent) res.writeHead(file.status, { ...file.headers, 'Content-Length': file.length })
    const sent = await streamBody(res, file)
    counts.streamed++
    counts.streamedBytes += sent
  }

  const send = async (res: ServerResponse, file: FileResponse): Promise<void> => {
    const socketFd = file.length >= minBytes && counts.active < maxTransfers ? plainSocketFd(res) : undefined
    if (!addon || socketFd === undefined) return streamed(res, file)
    res.writeHead(file.status, { ...file.headers, 'Content-Length': file.length })
    res.flushHeaders()
    const socket = res.socket as Socket
    if (!(await writesFlushed(socket))) {
      if (socket.destroyed) return // the client left before the body; nothing to send
      return streamed(res, file)
    }
    counts.active++
    try {
      const sent = await transfer(addon, socket, socketFd, file, options.stallMs ?? (socket.timeout || DEFAULT_STALL_MS))
      outOfBand.set(res, sent)
      counts.zeroCopy++
      counts.zeroCopyBytes += sent
    } catch (err) {
      if (err instanceof SendfileError) outOfBand.set(res, err.sent)
      socket.destroy() // part of the body may be out: the connection cannot carry another response
      throw err
    } finally {
      counts.active--
    }
    res.end()
  }

  return Object.assign(send, {
    zeroCopy: addon !== undefined,
    ...(native.addon ? {} : { reason: native.reason }),
    stats: () => ({ ...counts }),
    sentOutOfBand: (res: ServerResponse) => outOfBand.get(res) ?? 0,
  })
}
