import { execFile } from 'node:child_process'
import { MediaError } from './errors.js'

export interface RunOptions {
  timeoutMs: number
  /** Most bytes of stdout kept; more fails the run. */
  maxOutput: number
  signal?: AbortSignal
}

export interface RunResult {
  stdout: Buffer
  stderr: string
}

/** Thrown for a tool that ran and exited non-zero (the file's fault, usually). */
export class ToolExit extends Error {
  constructor(readonly tool: string, readonly stderr: string, readonly exitCode: number | null) {
    super(`${tool} failed: ${stderr.trim().split('\n').slice(-3).join(' / ') || `exit ${String(exitCode)}`}`)
  }
}

/**
 * Runs ffprobe/ffmpeg with execFile (no shell), a timeout and a bound on its output. A missing binary,
 * a timeout or too much output is MEDIA_TOOL_FAILED; a non-zero exit is a ToolExit for the caller to judge.
 */
export function runTool(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'buffer', timeout: options.timeoutMs, maxBuffer: options.maxOutput, killSignal: 'SIGKILL', signal: options.signal, windowsHide: true },
      (error, stdout, stderr) => {
        const err = stderr.subarray(0, 8192).toString('utf8')
        if (!error) return resolve({ stdout, stderr: err })
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown }
        if (e.code === 'ENOENT') return reject(new MediaError('MEDIA_TOOL_FAILED', `${file} is not installed (install ffmpeg)`, { cause: error }))
        if (e.name === 'AbortError') return reject(error)
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new MediaError('MEDIA_TOOL_FAILED', `${file} wrote more than ${options.maxOutput} bytes`, { cause: error }))
        if (e.killed) return reject(new MediaError('MEDIA_TOOL_FAILED', `${file} took longer than ${options.timeoutMs} ms`, { cause: error }))
        reject(new ToolExit(file, err, typeof e.code === 'number' ? e.code : null))
      },
    )
  })
}
