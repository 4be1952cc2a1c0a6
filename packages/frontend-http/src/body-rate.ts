import type { IncomingMessage, ServerResponse } from 'node:http'

/** The slowest a request body may arrive before its connection is cut (a trickling client ties up a request). */
export interface BodyRate {
  /** Bytes that must arrive in each window while the body is incomplete. */
  minBytes: number
  windowMs: number
}

export const DEFAULT_BODY_RATE: BodyRate = { minBytes: 16 * 1024, windowMs: 20_000 }

/**
 * Watch one request: every window, the connection must have delivered `minBytes` more, or be done with the body.
 * Counts socket bytes, so it never reads the body itself (the backend streams it untouched).
 */
export function enforceBodyRate(req: IncomingMessage, res: ServerResponse, rate: BodyRate): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
  if (!hasBody || req.complete) return
  const socket = req.socket
  let last = socket.bytesRead
  const timer = setInterval(() => {
    if (req.complete || socket.destroyed) return stop()
    const now = socket.bytesRead
    if (now - last < rate.minBytes) {
      stop()
      socket.destroy()
      return
    }
    last = now
  }, rate.windowMs)
  timer.unref()
  const stop = (): void => clearInterval(timer)
  req.once('end', stop)
  res.once('close', stop)
}
