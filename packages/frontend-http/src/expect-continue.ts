import type { IncomingMessage, ServerResponse } from 'node:http'

/** Requests that sent `Expect: 100-continue` and have not been told to go on yet. */
const awaiting = new WeakSet<IncomingMessage>()

/** For the server's `checkContinue` event: the request waits for `goOn` instead of an automatic 100. */
export function holdContinue(req: IncomingMessage): void {
  awaiting.add(req)
}

/**
 * Sends `100 Continue` if the client is waiting for it. Called where the body is about to be wanted
 * (after the edge's checks), so a refused upload is answered before its body is sent.
 */
export function goOn(req: IncomingMessage, res: ServerResponse): void {
  if (!awaiting.delete(req) || res.headersSent) return
  res.writeContinue()
}
