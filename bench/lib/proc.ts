// Child server processes: free ports, readiness polling, RSS sampling from /proc.
import { createServer, request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { readFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { benchTls } from './tls.js'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Polls GET url until it answers with one of the statuses (any HTTP answer by default). */
export async function waitHttp(url: string, child: ChildProcess, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`)
    const status = await new Promise<number>((resolve) => {
      const tls = url.startsWith('https:') ? benchTls() : undefined
      const send = tls ? (u: string, o: object, cb: Parameters<typeof request>[2]) => httpsRequest(u, { ...o, ca: tls.ca }, cb) : request
      const req = send(url, { headers }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', () => resolve(0))
      req.end()
    })
    if (status > 0 && status < 500) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`)
}

/** VmRSS and VmHWM of a process, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** Samples VmRSS every `everyMs` until stopped; returns the baseline and the peak seen. */
export function sampleRss(pid: number, everyMs = 25): { stop(): { baseline: number; peak: number } } {
  const baseline = memory(pid).rss
  let peak = baseline
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memory(pid).rss)
    } catch {
      /* process gone */
    }
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      try {
        peak = Math.max(peak, memory(pid).rss)
      } catch {
        /* process gone */
      }
      return { baseline, peak }
    },
  }
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/**
 * The closing PUT of a monolithic upload sent by curl from a file (`-T`, streamed, no `Expect: 100-continue`
 * wait): the --https mode's push figure, where a Node client encrypting the body would be the bottleneck.
 */
export async function curlPush(base: string, path: string, file: string): Promise<{ ms: number }> {
  const { execFile } = await import('node:child_process')
  const { USER, PASSWORD } = await import('./servers.js')
  const tls = base.startsWith('https:') ? ['--cacert', benchTls()!.caFile] : []
  const out = await new Promise<string>((resolve, reject) =>
    execFile('curl', [...tls, '-s', '-o', '/dev/null', '-u', `${USER}:${PASSWORD}`, '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:', '-T', file, '-w', '%{http_code} %{time_total}', `${base}${path}`], (err, stdout) =>
      err ? reject(new Error(`curl push: ${err.message}`)) : resolve(stdout),
    ),
  )
  const [code, seconds] = out.trim().split(' ')
  if (code !== '201') throw new Error(`curl push: HTTP ${code}`)
  return { ms: Number(seconds) * 1000 }
}

/**
 * Pulls a blob with curl into /dev/null: a C client, so the figure is the server's and not a JavaScript
 * client's (a Node client tops out near the servers' own speed on two cores).
 */
export async function curlPull(base: string, repo: string, digest: string): Promise<{ size: number; ms: number }> {
  const { execFile } = await import('node:child_process')
  const { USER, PASSWORD } = await import('./servers.js')
  const out = await new Promise<string>((resolve, reject) =>
    execFile('curl', [...(base.startsWith('https:') ? ['--cacert', benchTls()!.caFile] : []), '-sf', '-o', '/dev/null', '-u', `${USER}:${PASSWORD}`, '-w', '%{http_code} %{size_download} %{time_total}', `${base}/v2/${repo}/blobs/${digest}`], (err, stdout) =>
      err ? reject(new Error(`curl pull: ${err.message}`)) : resolve(stdout),
    ),
  )
  const [code, size, seconds] = out.trim().split(' ')
  if (code !== '200') throw new Error(`curl pull: HTTP ${code}`)
  return { size: Number(size), ms: Number(seconds) * 1000 }
}
