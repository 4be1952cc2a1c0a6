/**
 * How fast deriveMedia makes the default derivatives against raw sharp making the same ones from the same
 * files (thumbnail 250 px WebP, preview 1440 px mozjpeg JPEG, 100 px RGBA for the ThumbHash), `concurrency`
 * files at a time, in one process, alternating rounds so machine load hits both alike.
 *
 *   pnpm --filter @everlock/backend-image exec tsx test/media/derive-speed.ts [count=8] [concurrency=2] [rounds=3]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import { DEFAULT_DERIVATIVE_SPECS, deriveMedia, probeMedia, type MediaInfo } from '../../src/media/index.js'
import { makeJpeg, writeFixture } from './fixtures.js'

/** Raw sharp, the way its docs suggest: one input, a clone per output. */
async function rawSharp(path: string): Promise<void> {
  const input = sharp(path).autoOrient()
  await Promise.all([
    input.clone().resize(250, 250, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
    input.clone().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82, mozjpeg: true }).toBuffer(),
    input.clone().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => rgbaToThumbHash(info.width, info.height, data)),
  ])
}

/** Raw sharp written for speed: one decode to raw pixels at the preview size, every output from those. */
async function rawSharpOneDecode(path: string): Promise<void> {
  const { data, info } = await sharp(path).autoOrient().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true })
  const from = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
  await Promise.all([
    from().resize(250, 250, { fit: 'inside' }).webp({ quality: 80 }).toBuffer(),
    from().jpeg({ quality: 82, mozjpeg: true }).toBuffer(),
    from().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      .then((r) => rgbaToThumbHash(r.info.width, r.info.height, r.data)),
  ])
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
  return performance.now() - started
}

async function main(): Promise<void> {
  const [count = 8, concurrency = 2, rounds = 3] = process.argv.slice(2).map(Number)
  const dir = await mkdtemp(join(tmpdir(), 'everlock-derive-speed-'))
  try {
    const files: { path: string; info: MediaInfo }[] = []
    for (let i = 0; i < count; i++) {
      const path = await writeFixture(dir, `p${i}.jpg`, await makeJpeg({ width: 4000, height: 3000, orientation: i % 2 ? 6 : 1, takenAt: '2024-05-01T10:00:00', gps: { latitude: 48.8, longitude: 2.3 } }))
      files.push({ path, info: await probeMedia(path) })
    }
    await rawSharp(files[0]!.path) // warm up both
    await deriveMedia(files[0]!.path, files[0]!.info, DEFAULT_DERIVATIVE_SPECS)
    let raw = 0
    let rawOne = 0
    let ours = 0
    let probe = 0
    for (let r = 0; r < rounds; r++) {
      raw += await pool(files, concurrency, (f) => rawSharp(f.path))
      rawOne += await pool(files, concurrency, (f) => rawSharpOneDecode(f.path))
      ours += await pool(files, concurrency, (f) => deriveMedia(f.path, f.info, DEFAULT_DERIVATIVE_SPECS))
      probe += await pool(files, concurrency, (f) => probeMedia(f.path))
    }
    const n = count * rounds
    console.log(`4000x3000 JPEG, ${count} files x ${rounds} rounds, ${concurrency} at a time, sharp concurrency ${sharp.concurrency()}`)
    console.log(`raw sharp (clone per size): ${(raw / n).toFixed(1)} ms/photo, ${(n / (raw / 1000)).toFixed(2)} photos/s`)
    console.log(`raw sharp (one decode):     ${(rawOne / n).toFixed(1)} ms/photo, ${(n / (rawOne / 1000)).toFixed(2)} photos/s`)
    console.log(`deriveMedia:                ${(ours / n).toFixed(1)} ms/photo, ${(n / (ours / 1000)).toFixed(2)} photos/s`)
    console.log(`probeMedia:                 ${(probe / n).toFixed(1)} ms/photo`)
    console.log(`ratio deriveMedia / raw sharp (clone per size): ${(raw / ours).toFixed(2)}x`)
    console.log(`ratio deriveMedia / raw sharp (one decode):     ${(rawOne / ours).toFixed(2)}x`)
    console.log(`ratio probe+derive / raw sharp (clone per size): ${(raw / (ours + probe)).toFixed(2)}x`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
