import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createFileBodySender } from '@everlock/sendfile'
import { startRegistry, type Running } from './helpers/server'
import { client } from './helpers/client'
import { sha256 } from './helpers/image'

// The registry with a sendFile option serves blob bodies from the store's files (sendfile(2) from
// @everlock/sendfile), with the same bytes, headers and keep-alive behaviour as the streamed path.
const sendFile = createFileBodySender()
let reg: Running
let big: Buffer
let digest: string

beforeAll(async () => {
  reg = await startRegistry({ sendFile })
  big = randomBytes(8 * 1024 * 1024 + 3)
  digest = await client(reg.base).pushBlob('zc/repo', big)
})
afterAll(async () => {
  await reg.close()
})

function get(path: string, agent: Agent, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; port: number }>((resolve, reject) => {
    request(`${reg.base}${path}`, { agent, headers }, (res) => {
      const port = res.socket.localPort!
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts), port }))
    })
      .on('error', reject)
      .end()
  })
}

test('blob GETs and ranges go out with sendfile, byte-exact, on one keep-alive connection', async () => {
  expect(sendFile.zeroCopy).toBe(true)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const whole = await get(`/v2/zc/repo/blobs/${digest}`, agent)
    expect(whole.status).toBe(200)
    expect(whole.headers).toMatchObject({ 'docker-content-digest': digest, 'content-length': String(big.length), 'accept-ranges': 'bytes', 'docker-distribution-api-version': 'registry/2.0' })
    expect(sha256(whole.body)).toBe(digest)
    const part = await get(`/v2/zc/repo/blobs/${digest}`, agent, { Range: 'bytes=1048576-3145727' })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 1048576-3145727/${big.length}`)
    expect(part.body.equals(big.subarray(1048576, 3145728))).toBe(true)
    const tags = await get('/v2/zc/repo/tags/list', agent)
    expect(tags.status).toBe(200) // a plain JSON answer after two file bodies: the framing held
    expect(JSON.parse(tags.body.toString())).toMatchObject({ name: 'zc/repo' })
    expect(new Set([whole.port, part.port, tags.port]).size).toBe(1)
    expect(sendFile.stats()).toMatchObject({ zeroCopy: 2, zeroCopyBytes: big.length + 2 * 1048576, active: 0 })
  } finally {
    agent.destroy()
  }
})

test('small blobs and HEAD still answer as before', async () => {
  const api = client(reg.base)
  const small = await api.pushBlob('zc/repo', 'tiny blob')
  const got = await api.req('GET', `/v2/zc/repo/blobs/${small}`)
  expect(got.status).toBe(200)
  expect(got.text).toBe('tiny blob')
  const head = await api.req('HEAD', `/v2/zc/repo/blobs/${digest}`)
  expect(head.status).toBe(200)
  expect(head.headers.get('content-length')).toBe(String(big.length))
  // the client may hold every byte before the server's side settles: wait for the count
  for (let i = 0; i < 200 && sendFile.stats().streamed < 1; i++) await new Promise((r) => setTimeout(r, 10))
  expect(sendFile.stats().streamed).toBeGreaterThanOrEqual(1)
})
