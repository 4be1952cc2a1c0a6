import exifr from 'exifr'
import type { CameraInfo, ExposureInfo, GpsPosition } from './types.js'

export interface ExifFacts {
  takenAt?: string
  camera?: CameraInfo
  exposure?: ExposureInfo
  gps?: GpsPosition
}

/** Only the blocks we read: IFD0 (camera), EXIF (date, exposure, lens), GPS. Values raw, dates as written. */
const OPTIONS = {
  tiff: true, ifd0: {}, exif: true, gps: true,
  ifd1: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false,
  makerNote: false, userComment: false,
  translateKeys: true, translateValues: false, reviveValues: false, mergeOutput: true,
}

type Tags = Record<string, unknown>

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/
const OFFSET = /^[+-]\d{2}:\d{2}$/

/** EXIF `YYYY:MM:DD HH:MM:SS` (+ `OffsetTime*` `±HH:MM`) → ISO 8601; without an offset, a local date-time. */
export function exifDateToIso(date: unknown, offset?: unknown, subSeconds?: unknown): string | undefined {
  if (typeof date !== 'string') return undefined
  const m = EXIF_DATE.exec(date.trim())
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m
  if (y === '0000' || mo === '00' || d === '00' || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined
  const fraction = typeof subSeconds === 'string' && /^\d+$/.test(subSeconds.trim()) ? `.${subSeconds.trim().slice(0, 3).padEnd(3, '0')}` : ''
  const zone = typeof offset === 'string' && OFFSET.test(offset.trim()) ? offset.trim() : ''
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone}`
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const t = value.replace(/\0+$/, '').trim()
  return t === '' ? undefined : t
}

function positive(value: unknown): number | undefined {
  const n = Array.isArray(value) ? value[0] : value
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined
}

function compact<T extends object>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined)
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T)
}

function gpsFrom(tags: Tags): GpsPosition | undefined {
  const { latitude, longitude } = tags
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return undefined
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  if (latitude === 0 && longitude === 0) return undefined // unset GPS blocks from some cameras
  const gps: GpsPosition = { latitude, longitude }
  const altitude = tags.GPSAltitude
  if (typeof altitude === 'number' && Number.isFinite(altitude)) gps.altitude = tags.GPSAltitudeRef === 1 ? -altitude : altitude
  return gps
}

/** The facts we keep from parsed EXIF tags. */
export function factsFromTags(tags: Tags): ExifFacts {
  const takenAt =
    exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal ?? tags.OffsetTime, tags.SubSecTimeOriginal) ??
    exifDateToIso(tags.CreateDate, tags.OffsetTimeDigitized ?? tags.OffsetTime, tags.SubSecTimeDigitized)
  const make = text(tags.Make)
  const lensMake = text(tags.LensMake)
  const lensModel = text(tags.LensModel)
  const facts: ExifFacts = {
    camera: compact<CameraInfo>({
      make,
      model: text(tags.Model),
      lens: lensModel && lensMake && !lensModel.startsWith(lensMake) ? `${lensMake} ${lensModel}` : lensModel,
    }),
    exposure: compact<ExposureInfo>({
      exposureTime: positive(tags.ExposureTime),
      fNumber: positive(tags.FNumber),
      iso: positive(tags.ISO ?? tags.ISOSpeedRatings ?? tags.PhotographicSensitivity),
      focalLength: positive(tags.FocalLength),
    }),
    gps: gpsFrom(tags),
  }
  if (takenAt) facts.takenAt = takenAt
  return compact(facts) ?? {}
}

/**
 * EXIF facts with exifr: from the EXIF block sharp already extracted (`exif`, with or without its `Exif\0\0`
 * prefix), or from the file itself (TIFF, whose EXIF is its own IFDs). Unreadable EXIF is no EXIF.
 */
export async function readExif(source: Buffer | string): Promise<ExifFacts> {
  let input: Buffer | string = source
  if (Buffer.isBuffer(source) && source.length >= 6 && source.toString('latin1', 0, 6) === 'Exif\0\0') input = source.subarray(6)
  try {
    const tags = (await exifr.parse(input, OPTIONS)) as Tags | undefined
    return tags ? factsFromTags(tags) : {}
  } catch {
    return {}
  }
}
