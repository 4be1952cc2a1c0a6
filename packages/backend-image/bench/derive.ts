// Derived work end to end: upload N real-size photos (4000×3000 JPEGs made by the media layer's fixture
// generator) to a library over HTTP and wait until every derivative is committed, against raw sharp making the
// same derivatives (250 px WebP, 1440 px mozjpeg JPEG, a 100 px RGBA ThumbHash) from the same files in one
// process, 2 at a time. Alternating rounds.
//   pnpm --filter @everlock/backend-image bench:derive [count=8] [rounds=2]
import { createServer } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import { openStores } from '@everlock/versioned-storage'
import { openJobQueue } from '@everlock/jobs'
import { createImageLibrary } from '../src/index.js'
import { makeJpeg, writeFixture } from '../test/media/fixtures.js'

const [count = 8, rounds = 2] = process.argv.slice(2).map(Number)

/** The baseline: what someone would write with sharp alone — one pipeline per output, from the file. */
async function withSharp(path: string): Promise<void> {
  const fit = { fit: 'inside', withoutEnlargement: true } as const
  const thumb = sharp(path).rotate().resize(250, 250, fit).webp({ quality: 80 }).toBuffer()
  const preview = sharp(path).rotate().resize(1440, 1440, fit).jpeg({ quality: 82, mozjpeg: true }).toBuffer()
  const hash = sharp(path).rotate().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  const [, , small] = await Promise.all([thumb, preview, hash])
  rgbaToThumbHash(small.info.width, small.info.height, small.data)
}

async function rawRound(paths: string[]): Promise<number> {
  const started = performance.now()
  let next = 0
  await Promise.all([0, 1].map(async () => {
    while (next < paths.length) await withSharp(paths[next++]!)
  }))
  return performance.now() - started
}

async function libraryRound(files: Buffer[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-derive-bench-'))
  const stores = await openStores({ dir: join(dir, 'data') })
  const jobs = await openJobQueue({ dir: join(dir, 'jobs') })
  const library = createImageLibrary({ store: await stores.open('bench'), jobs, log: console.error })
  jobs.start()
  await library.ready
  const server = createServer(library)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const done = new Set<string>()
  const settled = new Promise<void>((resolve) => {
    jobs.onSettled((job) => {
      if (job.state !== 'done') throw new Error(`job ${job.id} ${job.state}: ${job.lastError?.message}`)
      done.add(job.id)
      if (done.size === files.length) resolve()
    })
  })
  const started = performance.now()
  for (const [i, bytes] of files.entries()) {
    const res = await fetch(`${url}/api/assets`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'image/jpeg', 'X-Filename': `p${i}.jpg` } })
    if (res.status !== 201) throw new Error(`upload ${i}: ${res.status}`)
    await res.arrayBuffer()
  }
  await settled
  const elapsed = performance.now() - started
  server.closeAllConnections()
  server.close()
  await library.close()
  await jobs.close()
  await stores.close()
  await rm(dir, { recursive: true, force: true })
  return elapsed
}

const work = await mkdtemp(join(tmpdir(), 'everlock-image-derive-photos-'))
const paths: string[] = []
for (let i = 0; i < count; i++) {
  const bytes = await makeJpeg({ width: 4000, height: 3000, orientation: i % 2 ? 6 : 1, takenAt: `2024-05-0${1 + (i % 9)}T10:00:00`, gps: { latitude: 48.8, longitude: 2.3 } })
  paths.push(await writeFixture(work, `p${i}.jpg`, bytes))
}
const files = await Promise.all(paths.map((p) => readFile(p)))
await withSharp(paths[0]!) // warm up
let raw = 0
let lib = 0
for (let r = 0; r < rounds; r++) {
  if (r % 2) {
    lib += await libraryRound(files)
    raw += await rawRound(paths)
  } else {
    raw += await rawRound(paths)
    lib += await libraryRound(files)
  }
}
await rm(work, { recursive: true, force: true })
const n = count * rounds
console.log(`${count} photos 4000x3000 (~${(files.reduce((a, b) => a + b.length, 0) / count / 1e6).toFixed(1)} MB each) x ${rounds} rounds, 2 at a time`)
console.log(`| | ms/photo | photos/s |`)
console.log(`| --- | --- | --- |`)
console.log(`| raw sharp, same derivatives from files | ${(raw / n).toFixed(0)} | ${(n / (raw / 1000)).toFixed(2)} |`)
console.log(`| backend-image: upload over HTTP → derive job → committed | ${(lib / n).toFixed(0)} | ${(n / (lib / 1000)).toFixed(2)} |`)
console.log(`ratio library / raw sharp: ${(raw / lib).toFixed(2)}x`)
