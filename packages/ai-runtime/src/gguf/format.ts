// GGUF v3 constants (ggml/docs/gguf.md): metadata value types and the ggml tensor types this writer emits.

export const GGUF_MAGIC = 0x46554747 // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3
export const GGUF_DEFAULT_ALIGNMENT = 32

export const ValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const
export type ValueType = (typeof ValueType)[keyof typeof ValueType]

/** Tensor element encodings: F32 as is; Q8_0 and Q4_0 in blocks of 32 elements with one fp16 scale each. */
export type TensorType = 'F32' | 'Q8_0' | 'Q4_0'

export const TENSOR_TYPE_ID: Record<TensorType, number> = { F32: 0, Q4_0: 2, Q8_0: 8 }

const BLOCK = 32

/** Bytes one row of `n` elements takes in `type`. Quantised rows need `n` to be a multiple of 32. */
export function rowBytes(type: TensorType, n: number): number {
  if (type === 'F32') return n * 4
  if (n % BLOCK !== 0) throw new RangeError(`${type} rows need a multiple of ${BLOCK} elements, got ${n}`)
  return (n / BLOCK) * (type === 'Q8_0' ? 34 : 18)
}

/** Bytes a tensor of shape `dims` (ne[0] first: the row length) takes in `type`. */
export function tensorBytes(type: TensorType, dims: readonly number[]): number {
  const [row = 1, ...rest] = dims
  return rowBytes(type, row) * rest.reduce((a, b) => a * b, 1)
}
