import type { MediaFormat, MediaInfo, MediaKind } from './types.js'

/** How many leading bytes `sniffFormat` needs to decide. */
export const SNIFF_BYTES = 64

export interface Sniffed {
  format: MediaFormat
  kind: MediaKind
  mime: string
}

const MIME: Record<MediaFormat, string> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif',
  tiff: 'image/tiff', heif: 'image/heif', mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm',
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3])
/** ISO-BMFF brands of still HEIF images (HEVC-coded or generic); `avif`/`avis` are AVIF. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'mif2'])
const AVIF_BRANDS = new Set(['avif', 'avis'])
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'])

function found(format: MediaFormat): Sniffed {
  return { format, kind: format === 'mp4' || format === 'mov' || format === 'webm' ? 'video' : 'image', mime: MIME[format] }
}

/** Brands of MP4-family video files (ISO base media, MPEG-4, 3GPP, camera variants). */
const MP4_BRANDS = /^(iso[m2-9]|mp4[12v]|avc1|M4V[ P]|dash|mmp4|3g[p2][0-9a-z]|MSNV|XAVC|NDAS|f4v )$/

/** The ISO-BMFF flavour from an `ftyp` box: its major brand, then its compatible brands. */
function bmffFormat(head: Buffer): MediaFormat | undefined {
  const boxSize = head.readUInt32BE(0)
  const end = Math.min(head.length, boxSize >= 16 ? boxSize : 16)
  const major = head.toString('latin1', 8, 12)
  const compatible: string[] = []
  for (let i = 16; i + 4 <= end; i += 4) compatible.push(head.toString('latin1', i, i + 4))
  if (AVIF_BRANDS.has(major)) return 'avif'
  if (major === 'qt  ') return 'mov'
  if (HEIF_BRANDS.has(major)) return compatible.some((b) => AVIF_BRANDS.has(b)) ? 'avif' : 'heif'
  if (MP4_BRANDS.test(major) || compatible.some((b) => MP4_BRANDS.test(b))) return 'mp4'
  if (compatible.includes('qt  ')) return 'mov'
  return undefined
}

/**
 * The format of a file from its first bytes (magic numbers), never its name. `undefined`: not one we take
 * (SVG, HTML, PDF, text, empty, …). Matroska files count only when their DocType is `webm`.
 */
export function sniffFormat(head: Buffer): Sniffed | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return found('jpeg')
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_MAGIC)) return found('png')
  if (head.length >= 6 && (head.toString('latin1', 0, 6) === 'GIF87a' || head.toString('latin1', 0, 6) === 'GIF89a')) return found('gif')
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return found('webp')
  if (head.length >= 4) {
    const tiff = head.toString('latin1', 0, 4)
    if (tiff === 'II*\0' || tiff === 'MM\0*') return found('tiff')
  }
  // QuickTime files from before ftyp existed start straight with one of these atoms.
  if (head.length >= 8 && QUICKTIME_ATOMS.has(head.toString('latin1', 4, 8)) && head.readUInt32BE(0) >= 8) return found('mov')
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
    const format = bmffFormat(head)
    return format && found(format)
  }
  if (head.length >= 4 && head.subarray(0, 4).equals(EBML_MAGIC)) {
    // The EBML header holds DocType (element id 0x4282) near the start.
    const at = head.indexOf(Buffer.from([0x42, 0x82]))
    if (at > 0 && head.toString('latin1', at + 3, at + 7) === 'webm') return found('webm')
  }
  return undefined
}

/** The start of a MediaInfo: what sniffing found and the displayed size (stored size, swapped when turned 90°). */
export function baseInfo(sniffed: Sniffed, width: number, height: number, quarterTurn: boolean): MediaInfo {
  return {
    kind: sniffed.kind,
    format: sniffed.format,
    mime: sniffed.mime,
    width: quarterTurn ? height : width,
    height: quarterTurn ? width : height,
  }
}
