// Typed GGUF metadata values: the writer needs to know each value's wire type, JS numbers alone don't say it.
import { ValueType } from './format.js'

export type Scalar =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'u64'; value: bigint }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }

export type MetaValue =
  | Scalar
  | { type: 'array'; of: 'string'; value: readonly string[] }
  | { type: 'array'; of: 'f32'; value: ArrayLike<number> }
  | { type: 'array'; of: 'i32'; value: ArrayLike<number> }

export const u32 = (value: number): MetaValue => ({ type: 'u32', value })
export const i32 = (value: number): MetaValue => ({ type: 'i32', value })
export const f32 = (value: number): MetaValue => ({ type: 'f32', value })
export const bool = (value: boolean): MetaValue => ({ type: 'bool', value })
export const str = (value: string): MetaValue => ({ type: 'string', value })
export const strings = (value: readonly string[]): MetaValue => ({ type: 'array', of: 'string', value })
export const f32s = (value: ArrayLike<number>): MetaValue => ({ type: 'array', of: 'f32', value })
export const i32s = (value: ArrayLike<number>): MetaValue => ({ type: 'array', of: 'i32', value })

const SCALAR_ID = {
  u32: ValueType.UINT32,
  i32: ValueType.INT32,
  u64: ValueType.UINT64,
  f32: ValueType.FLOAT32,
  bool: ValueType.BOOL,
  string: ValueType.STRING,
} as const

/** Appends little-endian GGUF encodings to a growable list of chunks. */
export class ByteSink {
  readonly chunks: Buffer[] = []
  length = 0

  private push(buf: Buffer): void {
    this.chunks.push(buf)
    this.length += buf.length
  }

  u32(n: number): void {
    const b = Buffer.allocUnsafe(4)
    b.writeUInt32LE(n)
    this.push(b)
  }

  i32(n: number): void {
    const b = Buffer.allocUnsafe(4)
    b.writeInt32LE(n)
    this.push(b)
  }

  u64(n: number | bigint): void {
    const b = Buffer.allocUnsafe(8)
    b.writeBigUInt64LE(BigInt(n))
    this.push(b)
  }

  f32(n: number): void {
    const b = Buffer.allocUnsafe(4)
    b.writeFloatLE(n)
    this.push(b)
  }

  bool(v: boolean): void {
    this.push(Buffer.from([v ? 1 : 0]))
  }

  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8')
    this.u64(bytes.length)
    this.push(bytes)
  }

  zeros(n: number): void {
    if (n > 0) this.push(Buffer.alloc(n))
  }

  value(v: MetaValue): void {
    if (v.type === 'array') {
      this.u32(ValueType.ARRAY)
      this.u32(SCALAR_ID[v.of])
      this.u64(v.value.length)
      for (let i = 0; i < v.value.length; i++) this.scalar(v.of, v.value[i] as never)
      return
    }
    this.u32(SCALAR_ID[v.type])
    this.scalar(v.type, v.value as never)
  }

  private scalar(type: Scalar['type'], value: never): void {
    switch (type) {
      case 'u32': return this.u32(value)
      case 'i32': return this.i32(value)
      case 'u64': return this.u64(value)
      case 'f32': return this.f32(value)
      case 'bool': return this.bool(value)
      case 'string': return this.string(value)
    }
  }
}
