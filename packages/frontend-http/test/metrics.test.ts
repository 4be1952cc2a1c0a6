import { afterEach, describe, expect, it } from 'vitest'
import { createHttpFrontend, type HttpFrontend } from '@everlock/frontend-http'
import { echoBackend, request } from './helpers.js'

let frontend: HttpFrontend | undefined
afterEach(async () => {
  await frontend?.close()
  frontend = undefined
})

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** A strict reader of the Prometheus text format: every line must parse. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line)
    if (type) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|\+Inf|NaN))$/.exec(line)
    if (!m) throw new Error(`unparseable line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=')
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1)
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3] === '+Inf' ? Infinity : m[3]) })
  }
  return { types, samples }
}

const pick = (samples: Sample[], name: string, labels: Record<string, string>): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))

describe('metrics', () => {
  it('counts requests, bytes and latency by backend and instance on a separate listener', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '127.0.0.1:0' } })
    frontend.vhosts.set('a.example', { backend: 'oci', instance: 'one', accessPath: 'http/oci/one', handler: echoBackend('a'), authorizesItself: true })
    const { port, metricsPort } = await frontend.listen('127.0.0.1:0')
    expect(metricsPort).toBeGreaterThan(0)
    expect(frontend.metricsPort).toBe(metricsPort)
    for (let i = 0; i < 3; i++) await request(port, { host: 'a.example' })
    const body = 'x'.repeat(10_000)
    await request(port, { host: 'a.example', method: 'PUT', body })
    await request(port, { host: 'nowhere.example' })

    // the metrics listener serves only /metrics
    expect((await request(metricsPort!, { path: '/' })).status).toBe(404)
    const reply = await request(metricsPort!, { path: '/metrics' })
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const { types, samples } = parseExposition(reply.body)
    expect(types.get('everlock_http_requests_total')).toBe('counter')
    expect(types.get('everlock_http_request_duration_seconds')).toBe('histogram')

    const oci = { backend: 'oci', instance: 'one' }
    expect(pick(samples, 'everlock_http_requests_total', { ...oci, method: 'GET', status: '2xx' })[0]?.value).toBe(3)
    expect(pick(samples, 'everlock_http_requests_total', { ...oci, method: 'PUT', status: '2xx' })[0]?.value).toBe(1)
    expect(pick(samples, 'everlock_http_requests_total', { backend: 'none', status: '4xx' })[0]?.value).toBe(1)
    expect(pick(samples, 'everlock_http_request_bytes_total', oci)[0]?.value).toBeGreaterThanOrEqual(10_000)
    // 4 responses each carrying at least the echoed JSON
    expect(pick(samples, 'everlock_http_response_bytes_total', oci)[0]?.value).toBeGreaterThan(10_000)
    const count = pick(samples, 'everlock_http_request_duration_seconds_count', oci)[0]?.value
    expect(count).toBe(4)
    const buckets = pick(samples, 'everlock_http_request_duration_seconds_bucket', oci).map((s) => s.value)
    expect(buckets.at(-1)).toBe(4)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(pick(samples, 'process_resident_memory_bytes', {})[0]?.value).toBeGreaterThan(0)
    // /metrics on a vhost belongs to the backend, not to the frontend
    expect((await request(port, { host: 'a.example', path: '/metrics' })).body).toContain('"backend":"a"')
  })

  it('counts body bytes sent with sendfile(2) through outOfBandBytes', async () => {
    const { createFileBodySender } = await import('@everlock/sendfile')
    const { mkdtemp, open, rm, writeFile } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'fh-metrics-'))
    const file = join(dir, 'body')
    const size = 2 * 1024 * 1024
    await writeFile(file, Buffer.alloc(size, 7))
    const sendFile = createFileBodySender()
    expect(sendFile.zeroCopy).toBe(true)
    try {
      frontend = createHttpFrontend({ metrics: { listen: '', outOfBandBytes: sendFile.sentOutOfBand } })
      frontend.vhosts.set('files.example', {
        backend: 'files',
        instance: 'one',
        accessPath: 'http/files/one',
        authorizesItself: true,
        handler: async (_req, res) => {
          const fh = await open(file)
          try {
            await sendFile(res, { status: 200, headers: {}, fd: fh.fd, start: 0, length: size })
          } finally {
            await fh.close()
          }
        },
      })
      const { port } = await frontend.listen('127.0.0.1:0')
      const reply = await request(port, { host: 'files.example' })
      expect(reply.status).toBe(200)
      expect(reply.body.length).toBe(size)
      // the client can hold every byte before the server hears that the transfer ended: wait for the record
      for (let i = 0; i < 200 && !/everlock_http_response_bytes_total\{backend="files"/.test(frontend.metricsText()); i++) await new Promise((r) => setTimeout(r, 10))
      expect(sendFile.stats().zeroCopyBytes).toBe(size)
      const { samples } = parseExposition(frontend.metricsText())
      const bytes = pick(samples, 'everlock_http_response_bytes_total', { backend: 'files', instance: 'one' })[0]?.value
      expect(bytes).toBeGreaterThan(size) // the body plus the head
      expect(bytes).toBeLessThan(size + 1024)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('is disabled by an empty address', async () => {
    frontend = createHttpFrontend({ metrics: { listen: '' } })
    const result = await frontend.listen('127.0.0.1:0')
    expect(result.metricsPort).toBeUndefined()
    expect(frontend.metricsPort).toBeUndefined()
    expect(frontend.metricsText()).toContain('# TYPE everlock_http_requests_total counter')
  })
})
