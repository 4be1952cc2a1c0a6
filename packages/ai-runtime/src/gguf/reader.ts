// Reads and checks a GGUF file's header without loading it: magic, version, every metadata entry and tensor
// info, and that each tensor's data lies inside the file. A file that passes is safe to hand to an engine
// (llama.cpp aborts the whole process on some malformed files instead of returning an error).
import { open, type FileHandle } from 'node:fs/promises'
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, ValueType } from './format.js'

export interface GgufHeader {
  version: number
  metadata: Map<string, unknown>
  tensorCount: number
  fileSize: number
}

export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError'
}

const WINDOW = 1 << 20
const MAX_STRING = 64 << 20
const MAX_COUNT = 1 << 24
// Block sizes (elements, bytes) of the ggml types a file may hold; an unknown type fails the check.
const TYPE_SIZE: Record<number, [number, number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82],
  23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2],
  34: [256, 54], 35: [256, 66], 39: [32, 17],
}

class Cursor {
  private buf = Buffer.alloc(0)
  private start = 0
  pos = 0

  constructor(private readonly file: FileHandle, readonly size: number) {}

  private async ensure(n: number): Promise<void> {
    if (this.pos + n > this.size) throw new GgufFormatError(`the file ends at byte ${this.size}, inside its header`)
    if (this.pos + n <= this.start + this.buf.length) return
    const want = Math.max(n, WINDOW)
    const next = Buffer.alloc(Math.min(want, this.size - this.pos))
    await this.file.read(next, 0, next.length, this.pos)
    this.buf = next
    this.start = this.pos
  }

  private async take(n: number): Promise<Buffer> {
    await this.ensure(n)
    const at = this.pos - this.start
    this.pos += n
    return this.buf.subarray(at, at + n)
  }

  async u32(): Promise<number> {
    return (await this.take(4)).readUInt32LE(0)
  }

  async u64(): Promise<number> {
    const v = (await this.take(8)).readBigUInt64LE(0)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`a 64-bit field holds ${v}, beyond any file`)
    return Number(v)
  }

  async string(): Promise<string> {
    const n = await this.u64()
    if (n > MAX_STRING) throw new GgufFormatError(`a string claims ${n} bytes`)
    return (await this.take(n)).toString('utf8')
  }

  async value(type: number): Promise<unknown> {
    switch (type) {
      case ValueType.UINT8: return (await this.take(1)).readUInt8(0)
      case ValueType.INT8: return (await this.take(1)).readInt8(0)
      case ValueType.UINT16: return (await this.take(2)).readUInt16LE(0)
      case ValueType.INT16: return (await this.take(2)).readInt16LE(0)
      case ValueType.UINT32: return this.u32()
      case ValueType.INT32: return (await this.take(4)).readInt32LE(0)
      case ValueType.FLOAT32: return (await this.take(4)).readFloatLE(0)
      case ValueType.BOOL: return (await this.take(1))[0] !== 0
      case ValueType.STRING: return this.string()
      case ValueType.UINT64: return (await this.take(8)).readBigUInt64LE(0)
      case ValueType.INT64: return (await this.take(8)).readBigInt64LE(0)
      case ValueType.FLOAT64: return (await this.take(8)).readDoubleLE(0)
      case ValueType.ARRAY: {
        const of = await this.u32()
        const n = await this.u64()
        if (of === ValueType.ARRAY || n > MAX_COUNT) throw new GgufFormatError(`an array of ${n} of type ${of}`)
        // Only the length of big arrays (vocabularies) is kept; their items are checked and skipped.
        for (let i = 0; i < n; i++) await this.value(of)
        return { array: n }
      }
      default:
        throw new GgufFormatError(`unknown metadata value type ${type}`)
    }
  }
}

export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const c = new Cursor(file, size)
    if ((await c.u32()) !== GGUF_MAGIC) throw new GgufFormatError('not a GGUF file (bad magic)')
    const version = await c.u32()
    if (version !== 2 && version !== 3) throw new GgufFormatError(`unsupported GGUF version ${version}`)
    const tensorCount = await c.u64()
    const kvCount = await c.u64()
    if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT) throw new GgufFormatError('implausible entry counts')
    const metadata = new Map<string, unknown>()
    for (let i = 0; i < kvCount; i++) {
      const key = await c.string()
      metadata.set(key, await c.value(await c.u32()))
    }
    const alignment = typeof metadata.get('general.alignment') === 'number' ? (metadata.get('general.alignment') as number) : GGUF_DEFAULT_ALIGNMENT
    let end = 0
    for (let i = 0; i < tensorCount; i++) {
      const name = await c.string()
      const dims = await c.u32()
      if (dims < 1 || dims > 4) throw new GgufFormatError(`tensor ${name} has ${dims} dimensions`)
      let elements = 1
      for (let d = 0; d < dims; d++) elements *= await c.u64()
      const type = await c.u32()
      const offset = await c.u64()
      const block = TYPE_SIZE[type]
      if (block === undefined) throw new GgufFormatError(`tensor ${name} has unknown type ${type}`)
      if (offset % alignment !== 0) throw new GgufFormatError(`tensor ${name} is not aligned`)
      end = Math.max(end, offset + (elements / block[0]) * block[1])
    }
    const dataStart = Math.ceil(c.pos / alignment) * alignment
    if (dataStart + end > size) {
      throw new GgufFormatError(`the tensors need ${dataStart + end} bytes, the file has ${size} (truncated?)`)
    }
    return { version, metadata, tensorCount, fileSize: size }
  } finally {
    await file.close()
  }
}
