import type { Socket } from 'node:net'
import { fromNativeCode } from './errors'
import type { NativeSendfile } from './native'
import type { FileSlice } from './types'

/**
 * Runs one sendfile(2) transfer from the file slice to the socket's descriptor on a thread of its own. Node's
 * idle timer is paused meanwhile (Node sees no writes); the addon's stall timeout replaces it. Closing the socket
 * cancels the transfer.
 */
export function transfer(addon: NativeSendfile, socket: Socket, socketFd: number, file: FileSlice, stallMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const idleTimeout = socket.timeout ?? 0
    if (idleTimeout > 0) socket.setTimeout(0)
    const done = (code: string | null, sent: number) => {
      socket.off('close', onClose)
      if (idleTimeout > 0 && !socket.destroyed) socket.setTimeout(idleTimeout)
      if (code === null) resolve(sent)
      else reject(fromNativeCode(code, sent))
    }
    let handle: ReturnType<NativeSendfile['start']>
    try {
      handle = addon.start(socketFd, file.fd, file.start, file.length, stallMs, done)
    } catch (err) {
      if (idleTimeout > 0) socket.setTimeout(idleTimeout)
      reject(err)
      return
    }
    const onClose = () => addon.cancel(handle)
    socket.once('close', onClose)
  })
}
