import { resolve } from 'node:path'
import { MediaError } from './errors.js'
import { baseInfo, type Sniffed } from './sniff.js'
import { runTool, ToolExit } from './tools.js'
import type { GpsPosition, MediaInfo } from './types.js'

export interface VideoProbeOptions {
  maxPixels: number
  timeoutMs: number
  ffprobePath: string
  signal?: AbortSignal
}

interface ProbeStream {
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  sample_aspect_ratio?: string
  duration?: string
  disposition?: { attached_pic?: number }
  tags?: Record<string, string>
  side_data_list?: { rotation?: number }[]
}

interface ProbeOutput {
  streams?: ProbeStream[]
  format?: { duration?: string; tags?: Record<string, string> }
}

/** The ffmpeg demuxer for each sniffed container: ffprobe never picks one by itself (no hls, concat, …). */
export const DEMUXER: Record<string, string> = { mp4: 'mov', mov: 'mov', webm: 'matroska' }

/** ffmpeg input arguments that read only the local file with the demuxer its content named. */
export function inputArgs(path: string, sniffed: Sniffed): string[] {
  return ['-protocol_whitelist', 'file', '-f', DEMUXER[sniffed.format]!, '-i', `file:${resolve(path)}`]
}

/** ISO 6709 (`+48.8584+002.2945+035.000/`), as QuickTime/MP4 `location` tags carry it. */
export function parseIso6709(value: string | undefined): GpsPosition | undefined {
  if (!value) return undefined
  const m = /^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(value.trim())
  if (!m) return undefined
  const latitude = Number(m[1])
  const longitude = Number(m[2])
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  const gps: GpsPosition = { latitude, longitude }
  if (m[3] !== undefined) gps.altitude = Number(m[3])
  return gps
}

/** A container date as ISO 8601: `creation_time` (UTC) or Apple's local `creationdate` with its offset. */
export function containerDate(value: string | undefined): string | undefined {
  if (!value) return undefined
  const local = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2}):?(\d{2})$/.exec(value.trim())
  if (local) return `${local[1]}${local[2]}:${local[3]}`
  const ms = Date.parse(value)
  if (!Number.isFinite(ms) || ms <= 0) return undefined // unset dates read as the 1970 (or 1904) epoch
  return new Date(ms).toISOString()
}

/** A stream's sample aspect ratio (`64:45`) as a number; 1 when absent or unset (`0:1`). */
function pixelAspect(value: string | undefined): number {
  const m = value ? /^(\d+):(\d+)$/.exec(value) : null
  if (!m) return 1
  const ratio = Number(m[1]) / Number(m[2])
  return Number.isFinite(ratio) && ratio > 0 && ratio < 100 ? ratio : 1
}

function seconds(value: string | undefined): number | undefined {
  const n = value === undefined ? NaN : Number(value)
  return Number.isFinite(n) && n > 0 ? n : undefined
}

/** Everything about a video from ffprobe's JSON. */
export async function probeVideo(path: string, sniffed: Sniffed, options: VideoProbeOptions): Promise<MediaInfo> {
  let out: ProbeOutput
  try {
    const { stdout } = await runTool(
      options.ffprobePath,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...inputArgs(path, sniffed)],
      { timeoutMs: options.timeoutMs, maxOutput: 4 << 20, ...(options.signal ? { signal: options.signal } : {}) },
    )
    out = JSON.parse(stdout.toString('utf8')) as ProbeOutput
  } catch (error) {
    if (error instanceof ToolExit) throw new MediaError('MEDIA_CORRUPT', `the ${sniffed.format.toUpperCase()} file cannot be read: ${error.stderr.trim().split('\n').pop() ?? ''}`, { cause: error })
    if (error instanceof SyntaxError) throw new MediaError('MEDIA_TOOL_FAILED', 'ffprobe printed no JSON', { cause: error })
    throw error
  }
  const streams = out.streams ?? []
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
  if (!video) throw new MediaError('MEDIA_UNSUPPORTED', `the ${sniffed.format.toUpperCase()} file has no video stream`)
  const audio = streams.find((s) => s.codec_type === 'audio')
  const { width: coded, height } = video
  if (!coded || !height) throw new MediaError('MEDIA_CORRUPT', 'the video stream has no dimensions')
  if (coded * height > options.maxPixels) {
    throw new MediaError('MEDIA_TOO_LARGE', `${coded}×${height} is ${coded * height} pixels per frame, more than the limit of ${options.maxPixels}`)
  }
  const width = Math.max(1, Math.round(coded * pixelAspect(video.sample_aspect_ratio))) // anamorphic video: square pixels as shown
  const matrix = video.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation
  const counterClockwise = matrix ?? (video.tags?.rotate !== undefined ? -Number(video.tags.rotate) : 0)
  // ffprobe reports the display matrix counter-clockwise; we keep clockwise degrees, a multiple of 90.
  const rotation = ((Math.round(-counterClockwise / 90) * 90) % 360 + 360) % 360
  const swap = rotation === 90 || rotation === 270
  const tags = { ...video.tags, ...out.format?.tags }
  const info = baseInfo(sniffed, width, height, swap)
  const duration = seconds(out.format?.duration) ?? seconds(video.duration)
  if (duration !== undefined) info.durationSeconds = duration
  if (rotation !== 0) info.rotation = rotation
  if (video.codec_name) info.videoCodec = video.codec_name
  if (audio?.codec_name) info.audioCodec = audio.codec_name
  const takenAt = containerDate(tags['com.apple.quicktime.creationdate']) ?? containerDate(tags.creation_time)
  if (takenAt) info.takenAt = takenAt
  const gps = parseIso6709(tags['com.apple.quicktime.location.ISO6709'] ?? tags.location)
  if (gps) info.gps = gps
  const make = tags['com.apple.quicktime.make']
  const model = tags['com.apple.quicktime.model']
  if (make || model) info.camera = { ...(make ? { make } : {}), ...(model ? { model } : {}) }
  return info
}
