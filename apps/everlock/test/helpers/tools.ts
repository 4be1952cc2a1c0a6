// skopeo and podman as real processes, each with its own auth file (and podman with its own storage).
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export interface Ran {
  readonly ok: boolean
  readonly stdout: string
  readonly stderr: string
}

export async function tool(cmd: string, args: string[], timeoutMs = 120_000): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 })
    return { ok: true, stdout, stderr }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) }
  }
}

/** skopeo with a private auth file. */
export function skopeo(authfile: string) {
  return {
    login: (registry: string, user: string, password: string) =>
      tool('skopeo', ['login', '--tls-verify=false', '--authfile', authfile, '-u', user, '-p', password, registry]),
    push: (layout: string, dest: string) =>
      tool('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-authfile', authfile, `oci:${layout}`, `docker://${dest}`]),
    pull: (src: string, layout: string, anonymous = false) =>
      tool('skopeo', ['copy', '--src-tls-verify=false', ...(anonymous ? ['--src-no-creds'] : ['--src-authfile', authfile]), `docker://${src}`, `oci:${layout}`]),
  }
}

/** podman as root with its own storage (vfs) under `dir`, so tests share nothing with the machine. */
export function podman(dir: string) {
  const base = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs']
  const authfile = join(dir, 'auth.json')
  mkdirSync(dir, { recursive: true })
  writeFileSync(authfile, '{"auths":{}}')
  const p = (...args: string[]) => tool('podman', [...base, ...args])
  return {
    run: p,
    login: (registry: string, user: string, password: string) =>
      p('login', '--tls-verify=false', '--authfile', authfile, '-u', user, '-p', password, registry),
    push: (image: string, digestFile: string) =>
      p('push', '--tls-verify=false', '--authfile', authfile, '--digestfile', digestFile, image),
    pull: (image: string) => p('pull', '--tls-verify=false', '--authfile', authfile, image),
  }
}
