import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** `length` bytes of an open file from `start`. The caller owns `fd` and closes it after the send settles. */
export interface FileSlice {
  readonly fd: number
  readonly start: number
  readonly length: number
}

/** A response whose body is a file slice; `Content-Length` is set from the slice. */
export interface FileResponse extends FileSlice {
  readonly status: number
  readonly headers?: OutgoingHttpHeaders
}

export interface FileBodySenderOptions {
  /** Use sendfile(2) when the addon is built and the connection allows it (default true). */
  readonly zeroCopy?: boolean
  /** Smaller bodies are streamed: a thread start costs more than copying them (default 256 KiB). */
  readonly minZeroCopyBytes?: number
  /** Transfers running at once on their own threads; more are streamed (default 128). */
  readonly maxTransfers?: number
  /** A client that reads nothing for this long is cut off (default: the socket's timeout, else 120 s). */
  readonly stallMs?: number
}

export interface FileBodyStats {
  /** Responses sent with sendfile(2), and their body bytes. */
  readonly zeroCopy: number
  readonly zeroCopyBytes: number
  /** Responses streamed through user space, and their body bytes. */
  readonly streamed: number
  readonly streamedBytes: number
  /** Transfers running now. */
  readonly active: number
}

/**
 * Sends a file slice as a complete response (head and body) and resolves when every byte is handed to the
 * connection. It rejects with a SendfileError when the client goes away or stalls; the connection is closed then.
 */
export interface FileBodySender {
  (res: ServerResponse, file: FileResponse): Promise<void>
  /** Whether sendfile(2) is in use; when not, `reason` says why. */
  readonly zeroCopy: boolean
  readonly reason?: string
  stats(): FileBodyStats
  /**
   * Body bytes sent to this response's connection with sendfile(2), which `socket.bytesWritten` does not see
   * (0 for streamed responses); for byte counters such as the HTTP frontend's metrics.
   */
  sentOutOfBand(res: ServerResponse): number
}
