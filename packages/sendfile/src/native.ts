import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The addon built from src/native/sendfile.c. */
export interface NativeSendfile {
  start(socketFd: number, fileFd: number, offset: number, length: number, stallMs: number, done: (code: string | null, sent: number) => void): NativeTransfer
  cancel(transfer: NativeTransfer): void
}

/** An opaque handle of a running transfer. */
export type NativeTransfer = { readonly __brand: 'NativeTransfer' }

export type NativeLoad = { readonly addon: NativeSendfile } | { readonly addon?: undefined; readonly reason: string }

let cached: NativeLoad | undefined

/** Loads dist/sendfile.node once: next to the bundle (dist/index.js) or, from the sources, in ../dist. */
export function loadNative(): NativeLoad {
  if (cached) return cached
  if (process.platform !== 'linux') return (cached = { reason: `sendfile(2) is used on Linux only, this is ${process.platform}` })
  const require = createRequire(import.meta.url)
  let reason = 'dist/sendfile.node is not built (run the package build with a C compiler)'
  for (const candidate of ['./sendfile.node', '../dist/sendfile.node']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url))
    if (!existsSync(path)) continue
    try {
      return (cached = { addon: require(path) as NativeSendfile })
    } catch (err) {
      reason = `${path} did not load: ${err instanceof Error ? err.message : String(err)}`
    }
  }
  return (cached = { reason })
}
