import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'

const child = fileURLToPath(new URL('./fixtures/s3-crash-child.ts', import.meta.url))
const ROUNDS = Number(process.env.EVERLOCK_S3_CRASH_ROUNDS ?? 8)
const BUCKET = 'crash-test'

interface Ack {
  index: number
  digest: string
  size: number
  commit: string
}

let server: S3rver
let dir = ''
beforeAll(async () => {
  server = await startS3rver()
  await server.createBucket(BUCKET)
  dir = await mkdtemp(join(tmpdir(), 'vs-s3-crash-'))
})
afterAll(async () => {
  await server?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Run the writer until a random moment (mostly mid-upload of a multi-part blob), SIGKILL it, return its acks. */
function runAndKill(first: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, server.endpoint, BUCKET, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const acks: Ack[] = []
    let buffered = ''
    let stderr = ''
    proc.stderr.on('data', (d) => (stderr += d))
    proc.stdout.on('data', (data: Buffer) => {
      buffered += data.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line === 'READY') setTimeout(() => proc.kill('SIGKILL'), 100 + Math.random() * 1500)
        const m = /^ACK (\d+) (\S+) (\d+) (\S+)$/.exec(line)
        if (m) acks.push({ index: Number(m[1]), digest: m[2]!, size: Number(m[3]), commit: m[4]! })
      }
    })
    proc.on('error', reject)
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`))
      else resolve(acks)
    })
  })
}

async function stagingKeys(): Promise<string[]> {
  const res = await server.client().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'crash/crash/staging/' }))
  return (res.Contents ?? []).map((o) => o.Key!)
}

test(`s3: SIGKILL mid-upload ${ROUNDS} times: acknowledged commits survive whole, nothing partial is visible, staging is swept`, async () => {
  const acknowledged: Ack[] = []
  let leftBehind = 0 // staging objects a kill left (the sweep must remove them)
  const client = server.client()
  const open = () => openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: BUCKET, prefix: `crash/${name}/`, sweepGraceMs: 0 }) })
  for (let round = 0; round < ROUNDS; round++) {
    acknowledged.push(...(await runAndKill(round * 100_000)))
    leftBehind += (await stagingKeys()).length
    const stores = await open()
    try {
      const store = await stores.open('crash')
      expect(await stagingKeys()).toEqual([]) // swept on open
      for (const ack of acknowledged) {
        expect(await store.getCommit(ack.commit), `commit of item ${ack.index}`).toBeDefined()
        expect(await store.get(`items/${ack.index}`)).toEqual({ digest: ack.digest, size: ack.size })
      }
      const last = acknowledged.at(-1)
      if (last) {
        const hash = createHash('sha256')
        for await (const chunk of await store.getBlob(last.digest)) hash.update(chunk as Buffer)
        expect(`sha256:${hash.digest('hex')}`).toBe(last.digest)
      }
    } finally {
      await stores.close()
    }
  }
  expect(acknowledged.length).toBeGreaterThan(0)
  console.info(`s3 crash: ${acknowledged.length} acknowledged, ${leftBehind} staging objects left by kills and swept`)

  // Every object under a digest key hashes to its name (nothing partial became visible), every entry names one.
  const stores = await open()
  try {
    const report = await (await stores.open('crash')).verify()
    expect(report.problems).toEqual([])
    expect(report.blobsChecked).toBeGreaterThanOrEqual(new Set(acknowledged.map((a) => a.digest)).size)
    expect(report.commitsChecked).toBe(acknowledged.length)
  } finally {
    await stores.close()
  }
}, 300_000)
