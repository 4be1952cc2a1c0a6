import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openStores } from '@everlock/versioned-storage'
import { s3Blobs } from '@everlock/versioned-storage/s3'
import { expectAcknowledged, runAndKill, type Ack } from './helpers/kill-loop'
import { startS3rver, type S3rver } from '@everlock/versioned-storage/s3rver'

const child = fileURLToPath(new URL('./fixtures/s3-crash-child.ts', import.meta.url))
const ROUNDS = Number(process.env.EVERLOCK_S3_CRASH_ROUNDS ?? 8)
const BUCKET = 'crash-test'


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


const stagingKeys = (): Promise<string[]> => server.keys(BUCKET, 'crash/crash/staging/')
/** Bytes under data/ that no link names: what the sweep must have removed. */
async function unlinkedData(): Promise<string[]> {
  const linked = new Set<string>()
  for (const key of await server.keys(BUCKET, 'crash/crash/sha256/')) {
    const head = await server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    if (head.Metadata?.['everlock-target']) linked.add(head.Metadata['everlock-target'])
  }
  return (await server.keys(BUCKET, 'crash/crash/data/')).filter((key) => !linked.has(key))
}

test(`s3: SIGKILL mid-upload ${ROUNDS} times: acknowledged commits survive whole, nothing partial is visible, staging is swept`, async () => {
  const acknowledged: Ack[] = []
  let leftBehind = 0 // staging objects a kill left (the sweep must remove them)
  const client = server.client()
  const open = () => openStores({ dir, blobDriver: (name) => s3Blobs({ client, bucket: BUCKET, prefix: `crash/${name}/`, sweepGraceMs: 0 }) })
  for (let round = 0; round < ROUNDS; round++) {
    acknowledged.push(...(await runAndKill(child, [dir, server.endpoint, BUCKET, String(round * 100_000)], () => 100 + Math.random() * 1500)))
    leftBehind += (await stagingKeys()).length
    const stores = await open()
    try {
      const store = await stores.open('crash')
      expect(await stagingKeys()).toEqual([]) // swept on open
      expect(await unlinkedData()).toEqual([])
      await expectAcknowledged(store, acknowledged)
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
