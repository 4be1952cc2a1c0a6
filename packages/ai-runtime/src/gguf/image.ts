// A small uncompressed 24-bit BMP: a real image file every engine's decoder (stb_image) reads.
import { writeFile } from 'node:fs/promises'

/** Writes a `width`×`height` gradient picture to `path`. */
export async function writeTestImage(path: string, width = 48, height = 48): Promise<void> {
  const rowBytes = Math.ceil((width * 3) / 4) * 4
  const pixels = rowBytes * height
  const buf = Buffer.alloc(54 + pixels)
  buf.write('BM', 0, 'latin1')
  buf.writeUInt32LE(buf.length, 2)
  buf.writeUInt32LE(54, 10)
  buf.writeUInt32LE(40, 14)
  buf.writeInt32LE(width, 18)
  buf.writeInt32LE(height, 22)
  buf.writeUInt16LE(1, 26)
  buf.writeUInt16LE(24, 28)
  buf.writeUInt32LE(pixels, 34)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 54 + y * rowBytes + x * 3
      buf[o] = (x * 255) / width
      buf[o + 1] = (y * 255) / height
      buf[o + 2] = ((x + y) * 127) / (width + height)
    }
  }
  await writeFile(path, buf)
}
