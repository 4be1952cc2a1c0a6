// Upload of one large video (default 2 GiB): throughput and server RSS growth, the library against a bare
// store.putBlob handler (the registry's monolithic push, less its protocol), side by side, alternating rounds.
//   pnpm --filter @everlock/backend-image bench:upload [MiB=2048] [rounds=2]
// The video is a real short MP4 (ffmpeg) followed by an ISO-BMFF `free` box of zeros up to the size: valid for
// ffprobe and the media layer's completeness check, generated while it is sent (nothing is written first).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeVideo } from '../test/media/fixtures.js'
import { spawnServer } from '../test/helpers/spawn.js'

const MiB = 1024 * 1024
const size = Number(process.argv[2] ?? 2048) * MiB
const rounds = Number(process.argv[3] ?? 2)
const serverScript = fileURLToPath(new URL('./upload-server.ts', import.meta.url))

function rssKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0))
}

/** POST the head, a `free` box header and zeros, in 1 MiB writes honouring back-pressure. */
function send(port: number, head: Buffer): Promise<{ status: number; seconds: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/assets', headers: { 'Content-Type': 'video/mp4', 'X-Filename': 'big.mp4', 'Content-Length': size } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, seconds: (performance.now() - started) / 1000 }))
    })
    req.on('error', reject)
    const boxSize = size - head.length
    const box = Buffer.alloc(8)
    box.writeUInt32BE(boxSize, 0)
    box.write('free', 4, 'latin1')
    req.write(head)
    req.write(box)
    const zeros = Buffer.alloc(MiB)
    let left = boxSize - 8
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, MiB)
        left -= n
        if (!req.write(n === MiB ? zeros : zeros.subarray(0, n))) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

async function round(mode: string, head: Buffer) {
  const dir = await mkdtemp(join(tmpdir(), `everlock-image-upload-${mode}-`))
  const { proc, port } = await spawnServer(serverScript, [dir, mode])
  try {
    await new Promise((r) => setTimeout(r, 300))
    const idle = await rssKiB(proc.pid!)
    let peak = idle
    const timer = setInterval(() => void rssKiB(proc.pid!).then((kib) => (peak = Math.max(peak, kib))), 25)
    const { status, seconds } = await send(port, head)
    clearInterval(timer)
    if (status !== 201) throw new Error(`${mode}: status ${status}`)
    return { mbps: size / 1e6 / seconds, growthMiB: (peak - idle) / 1024, peakMiB: peak / 1024 }
  } finally {
    proc.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
}

const work = await mkdtemp(join(tmpdir(), 'everlock-image-upload-video-'))
const head = await readFile(await makeVideo(join(work, 'head.mp4'), { format: 'mp4', width: 640, height: 360, seconds: 2 }))
await rm(work, { recursive: true, force: true })
const results: Record<string, Array<{ mbps: number; growthMiB: number; peakMiB: number }>> = { putblob: [], library: [] }
for (let r = 0; r < rounds; r++) for (const mode of r % 2 ? ['library', 'putblob'] : ['putblob', 'library']) results[mode]!.push(await round(mode, head))
const best = (mode: string) => results[mode]!.reduce((a, b) => (b.mbps > a.mbps ? b : a))
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
console.log(`upload of ${size / MiB} MiB (MP4), ${rounds} rounds each, alternating`)
console.log('| server | MB/s (median) | MB/s (best) | RSS growth MiB (max) | RSS peak MiB |')
console.log('| --- | --- | --- | --- | --- |')
for (const mode of ['putblob', 'library']) {
  const rs = results[mode]!
  console.log(`| ${mode === 'library' ? 'backend-image POST /api/assets' : 'bare store.putBlob handler'} | ${median(rs.map((x) => x.mbps)).toFixed(0)} | ${best(mode).mbps.toFixed(0)} | ${Math.max(...rs.map((x) => x.growthMiB)).toFixed(1)} | ${Math.max(...rs.map((x) => x.peakMiB)).toFixed(0)} |`)
}
console.log(`ratio library/putBlob (medians): ${(median(results.library!.map((x) => x.mbps)) / median(results.putblob!.map((x) => x.mbps))).toFixed(2)}`)
