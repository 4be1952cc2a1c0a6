/**
 * The media layer of backend-image: what a file is, what it says about itself, and the derivatives made
 * from it. Pure functions over local files (sharp for images, Debian's ffmpeg/ffprobe for videos); they know
 * nothing of stores, jobs or HTTP. The library calls them with a local path to the original's bytes.
 */

export type MediaKind = 'image' | 'video'

/** Formats recognised by content (magic bytes / decoder), never by file extension. */
export type MediaFormat =
  | 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff' | 'heif'
  | 'mp4' | 'mov' | 'webm'

export interface GpsPosition {
  latitude: number
  longitude: number
  altitude?: number
}

export interface CameraInfo {
  make?: string
  model?: string
  lens?: string
}

export interface ExposureInfo {
  /** Seconds, e.g. 0.004 for 1/250. */
  exposureTime?: number
  fNumber?: number
  iso?: number
  /** Millimetres. */
  focalLength?: number
}

/** What probing one file found. Width/height are as displayed (after EXIF orientation). */
export interface MediaInfo {
  kind: MediaKind
  format: MediaFormat
  /** The MIME type to serve the original with, e.g. `image/jpeg`, `video/mp4`. */
  mime: string
  width: number
  height: number
  /** Videos (and animated images): seconds. */
  durationSeconds?: number
  /** Animated GIF/WebP: number of frames. */
  frames?: number
  /** EXIF orientation 1..8 of the original, when it has one. */
  orientation?: number
  /** ISO 8601 date the photo/video was taken (EXIF DateTimeOriginal / container creation_time), when known. */
  takenAt?: string
  camera?: CameraInfo
  exposure?: ExposureInfo
  gps?: GpsPosition
  /** Videos: codec names, e.g. `h264`, `aac`. */
  videoCodec?: string
  audioCodec?: string
  // Additions by the media layer (additive; nothing above changed):
  /** Animated GIF/WebP (more than one frame). Derivatives are made from the first frame. */
  animated?: boolean
  /** Images: the original has an alpha channel. */
  hasAlpha?: boolean
  /** Videos: the display rotation in degrees from the container (0, 90, 180, 270), when not 0. */
  rotation?: number
}

export interface ProbeLimits {
  /** Refuse images with more input pixels than this (decompression bombs). Default 268 402 689 (sharp's). */
  maxPixels?: number
  // Additions by the media layer (all optional):
  /** Give up on ffprobe after this long (ms). Default 30 000. */
  timeoutMs?: number
  /** The ffprobe executable (default `ffprobe` on PATH). */
  ffprobePath?: string
  /** Cancels a running ffprobe. */
  signal?: AbortSignal
}

/** Addition by the media layer: the optional 4th argument of deriveMedia. */
export interface DeriveOptions {
  /** The same pixel limit as probing (sharp's limitInputPixels), checked again on decode. Default as ProbeLimits. */
  maxPixels?: number
  /** Give up on ffmpeg (poster frame) after this long (ms). Default 60 000. */
  timeoutMs?: number
  /** The ffmpeg executable (default `ffmpeg` on PATH). */
  ffmpegPath?: string
  /** Cancels a running ffmpeg. */
  signal?: AbortSignal
}

/** Which derivative; the library stores each as a blob linked from the item's record. */
export type DerivativeName = 'thumbnail' | 'preview' | 'avif' | 'poster'

export interface DerivativeSpec {
  name: DerivativeName
  /** Longest edge in pixels; never upscaled. */
  maxSize: number
  format: 'webp' | 'jpeg' | 'avif'
  quality?: number
  /**
   * Addition by the media layer. JPEG: encode with mozjpeg's trellis quantisation and scan optimisation
   * (default true; ~8 % smaller files, several times the encode time — false gives libjpeg-turbo's fast path).
   * AVIF/WebP: ignored.
   */
  mozjpeg?: boolean
}

export interface Derivative {
  name: DerivativeName
  format: 'webp' | 'jpeg' | 'avif'
  mime: string
  width: number
  height: number
  /** The encoded bytes: derivatives are bounded in size (by maxSize), never the original. */
  bytes: Buffer
}

export interface DerivedSet {
  derivatives: Derivative[]
  /** A tiny placeholder (ThumbHash, base64) to show before the thumbnail loads. */
  placeholder: string
}

/** Stable codes of the media layer; the library maps them to HTTP (415, 413, 422) at its edge. */
export type MediaErrorCode =
  /** Not a format we take (SVG, HTML, PDF, text, …) */
  | 'MEDIA_UNSUPPORTED'
  /** Looks like a supported format but cannot be decoded (truncated, corrupt) */
  | 'MEDIA_CORRUPT'
  /** More input pixels than the limit */
  | 'MEDIA_TOO_LARGE'
  /** ffmpeg/ffprobe missing or failed for another reason */
  | 'MEDIA_TOOL_FAILED'
