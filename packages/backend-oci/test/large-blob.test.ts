import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { generatedBytes } from '@everlock/versioned-storage/testing'
import { startRegistry, type Running } from './helpers/server'

const MiB = 1024 * 1024
const SIZE = Number(process.env.EVERLOCK_OCI_BIG_MB ?? 256) * MiB

let reg: Running
beforeAll(async () => {
  reg = await startRegistry()
})
afterAll(async () => {
  await reg.close()
})

function digestOf(total: number): Promise<string> {
  const hash = createHash('sha256')
  return pipeline(generatedBytes(total, { fill: 1 }), async function* (src) {
    for await (const c of src) hash.update(c as Buffer)
  }).then(() => `sha256:${hash.digest('hex')}`)
}

test('a large blob streams through push and pull without memory growing with its size', async () => {
  const digest = await digestOf(SIZE)
  const [host, port] = reg.host.split(':')
  global.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
  try {
    const pushStatus = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host, port: Number(port), method: 'POST', path: `/v2/big/blob/blobs/uploads/?digest=${digest}`, headers: { 'Content-Length': SIZE, 'Content-Type': 'application/octet-stream' } },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
        },
      )
      req.on('error', reject)
      generatedBytes(SIZE, { fill: 1 }).pipe(req)
    })
    expect(pushStatus).toBe(201)
    const pulled = await new Promise<{ size: number; digest: string }>((resolve, reject) => {
      request({ host, port: Number(port), path: `/v2/big/blob/blobs/${digest}` }, (res) => {
        const hash = createHash('sha256')
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          hash.update(c)
        })
        res.on('end', () => resolve({ size, digest: `sha256:${hash.digest('hex')}` }))
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    })
    expect(pulled).toEqual({ size: SIZE, digest })
  } finally {
    clearInterval(sampler)
  }
  expect(peak - base).toBeLessThan(96 * MiB)
}, 120_000)
