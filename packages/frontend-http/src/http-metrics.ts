import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, Histogram, MetricsRegistry, Sampled } from './metrics.js'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

export interface Target {
  readonly backend: string
  readonly instance: string
}

/** The frontend's request metrics: counts, bytes and latency by backend and instance. */
export class HttpMetrics {
  readonly registry = new MetricsRegistry()
  private inFlight = 0
  readonly requests = this.registry.add(
    new Counter('everlock_http_requests_total', 'HTTP requests answered, by backend, instance, method and status class.'),
  )
  readonly requestBytes = this.registry.add(
    new Counter('everlock_http_request_bytes_total', 'Bytes read from clients while serving requests (bodies), by backend and instance.'),
  )
  readonly responseBytes = this.registry.add(
    new Counter('everlock_http_response_bytes_total', 'Bytes written to clients (headers and bodies), by backend and instance.'),
  )
  readonly loginRefusals = this.registry.add(
    new Counter(
      'everlock_http_login_refusals_total',
      'Passwords answered 429/503 without a check, by reason (throttled: a penalised address over its pending checks; overloaded: the server-wide bound).',
    ),
  )
  readonly latency = this.registry.add(
    new Histogram('everlock_http_request_duration_seconds', 'Time from request headers to the end of the response.', LATENCY_BUCKETS),
  )

  /** `outOfBandBytes`: body bytes written past the socket (sendfile), added to the response bytes. */
  constructor(private readonly outOfBandBytes?: (res: ServerResponse) => number) {
    this.registry.add(new Sampled('everlock_http_requests_in_flight', 'Requests being served now.', 'gauge', () => this.inFlight))
    this.registry.add(
      new Sampled('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => process.memoryUsage.rss()),
    )
  }

  /** Starts measuring one request; the sample is recorded when the response finishes or is cut off. */
  track(req: IncomingMessage, res: ServerResponse, target: Target): void {
    const socket = req.socket
    const start = process.hrtime.bigint()
    const read0 = socket.bytesRead
    const written0 = socket.bytesWritten
    const method = METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER'
    this.inFlight++
    let done = false
    const finish = (completed: boolean): void => {
      if (done) return
      done = true
      this.inFlight--
      const labels = { backend: target.backend, instance: target.instance }
      const status = completed ? `${Math.floor(res.statusCode / 100)}xx` : 'aborted'
      this.requests.inc({ ...labels, method, status })
      this.requestBytes.inc(labels, bodyBytes(req, Math.max(0, socket.bytesRead - read0)))
      this.responseBytes.inc(labels, Math.max(0, socket.bytesWritten - written0) + (this.outOfBandBytes?.(res) ?? 0))
      this.latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9)
    }
    res.once('finish', () => finish(true))
    res.once('close', () => finish(res.writableFinished))
  }

  render(): string {
    return this.registry.render()
  }
}

/**
 * Request body bytes: Content-Length when the body was read whole; otherwise what the socket read during
 * the request (a close estimate for chunked bodies; the body is never tapped, so backends get it untouched).
 */
function bodyBytes(req: IncomingMessage, socketDelta: number): number {
  const header = req.headers['content-length']
  const length = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined
  if (length === undefined) return socketDelta
  return req.complete ? length : Math.min(length, socketDelta)
}
