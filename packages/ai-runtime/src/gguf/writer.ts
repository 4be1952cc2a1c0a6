// Writes a GGUF v3 file: header, metadata, tensor infos, then each tensor's data at its aligned offset.
// Tensor data is generated and written in bounded chunks, so memory stays flat for a file of any size.
import { open } from 'node:fs/promises'
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, TENSOR_TYPE_ID, rowBytes, tensorBytes, type TensorType } from './format.js'
import { fill, Rng, type Init } from './random.js'
import { ByteSink, type MetaValue } from './values.js'

export interface TensorSpec {
  name: string
  /** ne[0] first (the row length), as ggml orders dimensions. */
  dims: readonly number[]
  type: TensorType
  init: Init
  /** Rows (outermost index) written as zeros, e.g. embedding rows of tokens the model should never emit. */
  zeroRows?: ReadonlySet<number>
}

export interface GgufSpec {
  metadata: ReadonlyArray<readonly [string, MetaValue]>
  tensors: readonly TensorSpec[]
  seed: number
}

const CHUNK_BYTES = 4 << 20

const align = (n: number, to: number): number => Math.ceil(n / to) * to

/** Writes `spec` to `path` (replacing it) and resolves to the file's size in bytes. */
export async function writeGguf(path: string, spec: GgufSpec): Promise<number> {
  const head = new ByteSink()
  head.u32(GGUF_MAGIC)
  head.u32(GGUF_VERSION)
  head.u64(spec.tensors.length)
  head.u64(spec.metadata.length)
  for (const [key, value] of spec.metadata) {
    head.string(key)
    head.value(value)
  }
  let offset = 0
  for (const t of spec.tensors) {
    head.string(t.name)
    head.u32(t.dims.length)
    for (const d of t.dims) head.u64(d)
    head.u32(TENSOR_TYPE_ID[t.type])
    head.u64(offset)
    offset = align(offset + tensorBytes(t.type, t.dims), GGUF_DEFAULT_ALIGNMENT)
  }
  head.zeros(align(head.length, GGUF_DEFAULT_ALIGNMENT) - head.length)

  const file = await open(path, 'w')
  try {
    let pos = 0
    for (const chunk of head.chunks) pos += (await file.write(chunk, 0, chunk.length, pos)).bytesWritten
    const rng = new Rng(spec.seed)
    for (const t of spec.tensors) pos = await writeTensor(file, pos, t, rng)
    return pos
  } finally {
    await file.close()
  }
}

async function writeTensor(file: Awaited<ReturnType<typeof open>>, pos: number, t: TensorSpec, rng: Rng): Promise<number> {
  const row = rowBytes(t.type, t.dims[0] ?? 1)
  let left = tensorBytes(t.type, t.dims)
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / row))
  const buf = Buffer.alloc(Math.min(left, rowsPerChunk * row))
  let firstRow = 0
  while (left > 0) {
    const n = Math.min(left, buf.length)
    const part = buf.subarray(0, n)
    fill(t.type, t.init, part, rng)
    for (let r = 0; r < n / row; r++) if (t.zeroRows?.has(firstRow + r)) part.fill(0, r * row, (r + 1) * row)
    firstRow += n / row
    pos += (await file.write(part, 0, n, pos)).bytesWritten
    left -= n
  }
  const padded = align(pos, GGUF_DEFAULT_ALIGNMENT)
  if (padded > pos) await file.write(Buffer.alloc(padded - pos), 0, padded - pos, pos)
  return padded
}
