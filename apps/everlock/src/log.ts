/** The app's logger: one line per event on stderr (info on stdout), `message key=value …`. Never given secrets. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

function line(message: string, fields?: Record<string, unknown>): string {
  const parts = [message]
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v === undefined) continue
    const text = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v)
    parts.push(`${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`)
  }
  return parts.join(' ').replace(/[\r\n]+/g, ' ') + '\n'
}

export function consoleLog(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Log {
  return {
    info: (m, f) => void out.write(line(m, f)),
    warn: (m, f) => void err.write(line(`warning: ${m}`, f)),
    error: (m, f) => void err.write(line(`error: ${m}`, f)),
  }
}

export const silentLog: Log = { info() {}, warn() {}, error() {} }
