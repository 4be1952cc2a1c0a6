import { MediaError } from './errors.js'
import { inputArgs } from './probe-video.js'
import type { Sniffed } from './sniff.js'
import { runTool, ToolExit } from './tools.js'
import type { MediaInfo } from './types.js'

export interface RawFrame {
  data: Buffer
  width: number
  height: number
  channels: 3
}

export interface PosterOptions {
  /** Longest edge of the frame wanted (never upscaled). */
  maxSize: number
  timeoutMs: number
  ffmpegPath: string
  signal?: AbortSignal
}

/** Where the poster is taken: 10 % into the video (past fade-ins and black first frames), else 1 s. */
export function posterTime(durationSeconds: number | undefined): number {
  return durationSeconds !== undefined && durationSeconds > 0 ? durationSeconds * 0.1 : 1
}

/** The displayed size fitted inside maxSize, never larger than the video; even dimensions are not required. */
export function fitInside(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/**
 * One frame of the video as raw RGB, decoded, auto-rotated (ffmpeg applies the display matrix) and scaled by
 * ffmpeg and piped to us: no intermediate file or image encoding.
 */
export async function posterFrame(path: string, info: MediaInfo, options: PosterOptions): Promise<RawFrame> {
  const size = fitInside(info.width, info.height, options.maxSize)
  const expected = size.width * size.height * 3
  const sniffed: Sniffed = { format: info.format, kind: 'video', mime: info.mime }
  const grab = async (at: number): Promise<Buffer> => {
    const args = [
      '-nostdin', '-v', 'error', '-ss', at.toFixed(3), ...inputArgs(path, sniffed),
      '-map', '0:v:0', '-frames:v', '1', '-an', '-sn',
      '-vf', `scale=${size.width}:${size.height}:flags=bicubic`,
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ]
    try {
      const { stdout } = await runTool(options.ffmpegPath, args, {
        timeoutMs: options.timeoutMs, maxOutput: expected + 1, ...(options.signal ? { signal: options.signal } : {}),
      })
      return stdout
    } catch (error) {
      if (error instanceof ToolExit) throw new MediaError('MEDIA_CORRUPT', `no frame can be decoded from the video: ${error.stderr.trim().split('\n').pop() ?? ''}`, { cause: error })
      throw error
    }
  }
  const at = posterTime(info.durationSeconds)
  let data = await grab(at)
  if (data.length === 0 && at > 0) data = await grab(0) // seeking past the last frame yields nothing
  if (data.length === 0) throw new MediaError('MEDIA_CORRUPT', 'the video has no decodable frame')
  if (data.length !== expected) throw new MediaError('MEDIA_TOOL_FAILED', `ffmpeg gave ${data.length} bytes for a ${size.width}×${size.height} frame`)
  return { data, width: size.width, height: size.height, channels: 3 }
}
