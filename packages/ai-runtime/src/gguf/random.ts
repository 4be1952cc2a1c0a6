// Seeded pseudo-random numbers (xorshift32) and tensor fillers: the same seed writes the same file.
import type { TensorType } from './format.js'

export type Init = { kind: 'random'; scale: number } | { kind: 'const'; value: number }

export class Rng {
  private s: number

  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9
  }

  /** A uniform uint32. */
  next(): number {
    let x = this.s
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.s = x >>> 0
    return this.s
  }

  /** A uniform float in [-1, 1). */
  signed(): number {
    return this.next() / 0x80000000 - 1
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return this.next() % n
  }
}

/** IEEE 754 half precision bits of `f` (round to nearest; normal range only, which the fillers stay in). */
export function toHalf(f: number): number {
  const view = new DataView(new ArrayBuffer(4))
  view.setFloat32(0, f)
  const bits = view.getUint32(0)
  const sign = (bits >>> 16) & 0x8000
  const exp = ((bits >>> 23) & 0xff) - 127 + 15
  const mant = bits & 0x7fffff
  if (exp <= 0) return sign
  if (exp >= 31) return sign | 0x7c00
  return sign | (exp << 10) | Math.round(mant / 0x2000)
}

/**
 * Fills `buf` (a whole number of rows of `type`) with `init`. Random quantised blocks are drawn directly
 * (random codes, one scale per block) rather than quantised from floats: the result is the same kind of data.
 */
export function fill(type: TensorType, init: Init, buf: Buffer, rng: Rng): void {
  if (type === 'F32') return fillF32(init, buf, rng)
  if (init.kind === 'const') throw new RangeError('constant tensors are written as F32')
  const blockBytes = type === 'Q8_0' ? 34 : 18
  const d = toHalf(type === 'Q8_0' ? init.scale / 127 : init.scale / 8)
  for (let off = 0; off < buf.length; off += blockBytes) {
    buf.writeUInt16LE(d, off)
    for (let i = off + 2; i < off + blockBytes; i += 4) {
      const r = rng.next()
      const end = Math.min(4, off + blockBytes - i)
      for (let k = 0; k < end; k++) buf[i + k] = (r >>> (8 * k)) & 0xff
    }
  }
}

function fillF32(init: Init, buf: Buffer, rng: Rng): void {
  const n = buf.length / 4
  if (init.kind === 'const') {
    for (let i = 0; i < n; i++) buf.writeFloatLE(init.value, i * 4)
    return
  }
  const f = new Float32Array(buf.buffer, buf.byteOffset, n)
  for (let i = 0; i < n; i++) f[i] = rng.signed() * init.scale
}
