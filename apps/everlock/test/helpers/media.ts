// Media for the library's end-to-end tests, made by Debian's ffmpeg, and `curl` as a person types it.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A real JPEG (1600×1200) and MP4 (2 s, H.264) made from ffmpeg's test source. */
export async function makeMedia(dir: string): Promise<{ jpeg: string; mp4: string }> {
  const jpeg = join(dir, 'photo.jpg')
  const mp4 = join(dir, 'clip.mp4')
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=1600x1200:rate=1', '-frames:v', '1', '-y', jpeg])
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-y', mp4])
  return { jpeg, mp4 }
}

/** `curl` to `host` on the loopback port (`--resolve`, as the README shows); status code and body. */
export async function curl(port: number, host: string, args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--resolve', `${host}:${port}:127.0.0.1`, '-w', '\n%{http_code}', ...args], { timeout: 60_000, maxBuffer: 16 << 20 })
  const at = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) }
}

/** Polls an asset's record until it lists every derivative in `names` (40 s at most). */
export async function waitForDerivatives(get: () => Promise<string>, id: string, names: readonly string[]): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 40_000
  for (;;) {
    const record = JSON.parse(await get()) as { derivatives?: Array<{ name: string }> }
    if (names.every((n) => record.derivatives?.some((d) => d.name === n))) return record as Record<string, unknown>
    if (Date.now() > deadline) throw new Error(`derivatives of ${id} not made: ${JSON.stringify(record)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
