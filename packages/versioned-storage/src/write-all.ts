import type { FileHandle } from 'node:fs/promises'

/** Write a whole chunk: a single write(2) may write fewer bytes (e.g. when the disk fills up). */
export async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.byteLength - offset)
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    offset += bytesWritten
  }
}
