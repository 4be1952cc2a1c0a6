/**
 * The few DER (X.690) encodings a PKCS#10 certificate request needs. Values are built bottom-up as
 * Buffers; every function returns one complete TLV.
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items)
export const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items)
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'))
export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes)
/** A BIT STRING with no unused bits. */
export const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.from([0]), bytes)
/** `[n]` context-specific, constructed. */
export const explicit = (n: number, ...items: Buffer[]): Buffer => tlv(0xa0 | n, ...items)
/** `[n]` context-specific, primitive (e.g. a dNSName in a GeneralName). */
export const implicitPrimitive = (n: number, bytes: Buffer): Buffer => tlv(0x80 | n, bytes)

export function integer(n: number): Buffer {
  const bytes: number[] = []
  let v = n
  do {
    bytes.unshift(v & 0xff)
    v = Math.floor(v / 256)
  } while (v > 0)
  if (bytes[0]! & 0x80) bytes.unshift(0)
  return tlv(0x02, Buffer.from(bytes))
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const out: number[] = [40 * parts[0]! + parts[1]!]
  for (const part of parts.slice(2)) {
    const chunk: number[] = []
    let v = part
    do {
      chunk.unshift((v & 0x7f) | (chunk.length ? 0x80 : 0))
      v = Math.floor(v / 128)
    } while (v > 0)
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}
