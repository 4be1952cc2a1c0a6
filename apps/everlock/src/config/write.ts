import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { stringify } from 'smol-toml'
import { EverlockError } from '../errors.js'
import type { OciInstanceConfig } from './oci-config.js'

const HEADER = '# OCI registries served by everlock (managed with /oci … in the admin console; hand edits apply on restart or SIGHUP)\n\n'

export function renderOciConfig(instances: readonly OciInstanceConfig[]): string {
  const table: Record<string, { store: string; vhosts: string[] }> = {}
  for (const i of [...instances].sort((a, b) => a.name.localeCompare(b.name))) table[i.name] = { store: i.store, vhosts: [...i.vhosts] }
  return HEADER + stringify({ instances: table }) + '\n'
}

/** Replace the file atomically: write a temp file beside it, fsync, rename over it. */
export async function writeOciConfig(file: string, instances: readonly OciInstanceConfig[]): Promise<void> {
  const dir = dirname(file)
  const temp = join(dir, `.oci-http.toml.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await mkdir(dir, { recursive: true })
    const handle = await open(temp, 'w', 0o644)
    try {
      await handle.writeFile(renderOciConfig(instances), 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw new EverlockError('CONFIG_WRITE_FAILED', `cannot write ${file}`, { cause })
  }
}
