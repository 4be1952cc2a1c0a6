/**
 * A real HEVC-coded HEIC, as phones write them: one frame encoded by ffmpeg's libx265, wrapped in a minimal
 * HEIF container (ftyp `heic`, meta with hdlr/pitm/iloc/iinf/iprp, mdat). The prebuilt sharp cannot make one
 * (it encodes AV1 only), and decodes none — which is what the test of this file shows.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length, 0)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}

function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.alloc(4)
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0)
  return box(type, vf, ...parts)
}

const u8 = (n: number) => Buffer.from([n])
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b }

/** Annex-B byte stream → NAL units (start codes removed). */
function nalUnits(stream: Buffer): Buffer[] {
  const starts: number[] = []
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) { starts.push(i + 3); i += 2 }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : stream.length
    while (end > s && stream[end - 1] === 0) end-- // the zero of a 4-byte start code
    return stream.subarray(s, end)
  })
}

/** RBSP of a NAL unit (emulation-prevention bytes removed). */
function rbsp(nal: Buffer): Buffer {
  const out: number[] = []
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue
    out.push(nal[i]!)
  }
  return Buffer.from(out)
}

const nalType = (nal: Buffer) => (nal[0]! >> 1) & 0x3f

/** The HEVCDecoderConfigurationRecord from the stream's VPS/SPS/PPS (profile fields copied from the SPS). */
function hvcC(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const ptl = rbsp(sps).subarray(3, 15) // after the NAL header and the VPS id/sub-layers byte: 12 bytes of profile_tier_level
  const header = Buffer.concat([
    u8(1), ptl.subarray(0, 1), ptl.subarray(1, 5), ptl.subarray(5, 11), ptl.subarray(11, 12),
    u16(0xf000), u8(0xfc), u8(0xfd), u8(0xf8), u8(0xf8), u16(0), u8(0x0f), u8(3),
  ])
  const array = (nal: Buffer) => Buffer.concat([u8(0x80 | nalType(nal)), u16(1), u16(nal.length), nal])
  return box('hvcC', header, array(vps), array(sps), array(pps))
}

export async function makeHevcHeic(width: number, height: number): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'everlock-heic-'))
  try {
    const out = join(work, 'frame.hevc')
    await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=1`, '-frames:v', '1',
      '-c:v', 'libx265', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=none', '-f', 'hevc', out])
    const nals = nalUnits(await readFile(out))
    const find = (t: number) => { const n = nals.find((x) => nalType(x) === t); if (!n) throw new Error(`no NAL of type ${t}`); return n }
    const slices = nals.filter((n) => nalType(n) < 32)
    const data = Buffer.concat(slices.flatMap((n) => [u32(n.length), n]))
    const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'))
    const build = (dataOffset: number) => fullBox('meta', 0, 0,
      fullBox('hdlr', 0, 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), u8(0)),
      fullBox('pitm', 0, 0, u16(1)),
      fullBox('iloc', 0, 0, u8(0x44), u8(0x00), u16(1), u16(1), u16(0), u16(1), u32(dataOffset), u32(data.length)),
      fullBox('iinf', 0, 0, u16(1), fullBox('infe', 2, 0, u16(1), u16(0), Buffer.from('hvc1', 'latin1'), u8(0))),
      box('iprp',
        box('ipco', hvcC(find(32), find(33), find(34)), fullBox('ispe', 0, 0, u32(width), u32(height))),
        fullBox('ipma', 0, 0, u32(1), u16(1), u8(2), u8(0x81), u8(0x02))),
    )
    const metaLength = build(0).length
    const meta = build(ftyp.length + metaLength + 8)
    return Buffer.concat([ftyp, meta, box('mdat', data)])
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
