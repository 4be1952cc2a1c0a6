import { describe, expect, it } from 'vitest'
import { SNIFF_BYTES, sniffFormat } from '../../src/media/index.js'
import { makeAnimated, makeImage } from './fixtures.js'

const bmff = (major: string, ...compatible: string[]) => {
  const body = Buffer.from(major + '\0\0\0\0' + compatible.join(''), 'latin1')
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length)
  head.write('ftyp', 4, 'latin1')
  return Buffer.concat([head, body])
}

describe('sniffFormat (first bytes only)', () => {
  it.each(['jpeg', 'png', 'webp', 'avif', 'tiff', 'heif'] as const)('%s made by sharp', async (format) => {
    const bytes = await makeImage(format, { width: 16, height: 16 })
    expect(sniffFormat(bytes.subarray(0, SNIFF_BYTES))?.format).toBe(format)
  })

  it('GIF', async () => {
    expect(sniffFormat(await makeAnimated('gif', { width: 4, height: 4, frames: 2 }))).toEqual({ format: 'gif', kind: 'image', mime: 'image/gif' })
  })

  it.each([
    [bmff('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'mp4'],
    [bmff('mp42', 'mp42', 'isom'), 'mp4'],
    [bmff('M4V ', 'M4V ', 'M4A ', 'mp42', 'isom'), 'mp4'],
    [bmff('3gp5', '3gp5', 'isom'), 'mp4'],
    [bmff('qt  ', 'qt  '), 'mov'],
    [bmff('avif', 'mif1', 'avif', 'miaf'), 'avif'],
    [bmff('mif1', 'mif1', 'avif'), 'avif'],
    [bmff('heic', 'mif1', 'heic'), 'heif'],
    [bmff('mif1', 'mif1', 'heic'), 'heif'],
    [Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('wide', 'latin1'), Buffer.from([0, 0, 0, 8]), Buffer.from('mdat', 'latin1')]), 'mov'],
  ])('ISO-BMFF brand %#', (head, format) => {
    expect(sniffFormat(head)?.format).toBe(format)
  })

  it('WebM by its EBML DocType; Matroska (.mkv) and unknown brands are not taken', () => {
    const ebml = (docType: string) => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType, 'latin1')])
    expect(sniffFormat(ebml('webm'))).toEqual({ format: 'webm', kind: 'video', mime: 'video/webm' })
    expect(sniffFormat(ebml('matroska'))).toBeUndefined()
    expect(sniffFormat(bmff('crx ', 'crx '))).toBeUndefined()
  })

  it.each([
    '', '<svg xmlns="http://www.w3.org/2000/svg"/>', '<!DOCTYPE html>', '%PDF-1.7', 'GIF8', 'RIFF\0\0\0\0WAVEfmt ', '\xff\xd8',
  ])('not media: %j', (text) => {
    expect(sniffFormat(Buffer.from(text, 'latin1'))).toBeUndefined()
  })
})
