/** Part-sized buffers handed out and taken back, so a long upload reuses the same few instead of churning memory. */
export interface PartPool {
  readonly partSize: number
  take(): Buffer
  give(buf: Buffer): void
}

export function partPool(partSize: number, keep: number): PartPool {
  const spare: Buffer[] = []
  return {
    partSize,
    take: () => spare.pop() ?? Buffer.allocUnsafeSlow(partSize),
    give(buf) {
      if (buf.length === partSize && spare.length < keep) spare.push(buf)
    },
  }
}
