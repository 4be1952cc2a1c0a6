// Requests/s at a fixed number of keep-alive connections, measured with ApacheBench (`ab -k`, apt
// apache2-utils): a separate C process, so the load generator does not share a JavaScript event loop, and
// unlike wrk and autocannon it completes HEAD requests.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface LoadResult {
  readonly rps: number
  readonly requests: number
  readonly non2xx: number
  readonly failed: number
  readonly p50ms: number
  readonly p99ms: number
}

export function parseAb(out: string): LoadResult {
  const num = (re: RegExp, fallback = NaN) => Number(re.exec(out)?.[1] ?? fallback)
  return {
    rps: num(/Requests per second:\s+([\d.]+)/),
    requests: num(/Complete requests:\s+(\d+)/),
    non2xx: num(/Non-2xx responses:\s+(\d+)/, 0),
    failed: num(/Failed requests:\s+(\d+)/, 0),
    p50ms: num(/^\s+50%\s+(\d+)/m),
    p99ms: num(/^\s+99%\s+(\d+)/m),
  }
}

export async function ab(url: string, opts: { head?: boolean; headers?: Record<string, string>; connections?: number; seconds: number }): Promise<LoadResult> {
  const args = ['-k', '-q', '-c', String(opts.connections ?? 16), '-t', String(opts.seconds), '-n', '100000000']
  if (opts.head) args.push('-i')
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`)
  args.push(url)
  const { stdout } = await run('ab', args, { maxBuffer: 1 << 20 })
  const result = parseAb(stdout)
  if (!Number.isFinite(result.rps)) throw new Error(`cannot parse ab output:\n${stdout}`)
  return result
}
