import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { stringify } from 'smol-toml'
import { EverlockError } from '../errors.js'
import type { InstanceConfig } from './instances-config.js'
import { OCI_KIND, type InstanceKind } from './kinds.js'

/** The file's text: the kind's header, then `[instances.<name>]` tables sorted by name. */
export function renderInstancesConfig(kind: InstanceKind, instances: readonly InstanceConfig[]): string {
  const table: Record<string, { store: string; vhosts: string[]; public_url?: string }> = {}
  for (const i of [...instances].sort((a, b) => a.name.localeCompare(b.name))) {
    table[i.name] = { store: i.store, vhosts: [...i.vhosts], ...(kind.publicUrl && i.publicUrl !== undefined ? { public_url: i.publicUrl } : {}) }
  }
  return `${kind.header}\n\n` + stringify({ instances: table }) + '\n'
}

export function renderOciConfig(instances: readonly InstanceConfig[]): string {
  return renderInstancesConfig(OCI_KIND, instances)
}

export function writeOciConfig(file: string, instances: readonly InstanceConfig[]): Promise<void> {
  return writeInstancesConfig(file, OCI_KIND, instances)
}

/** Replace the file atomically: write a temp file beside it, fsync, rename over it. */
export async function writeInstancesConfig(file: string, kind: InstanceKind, instances: readonly InstanceConfig[]): Promise<void> {
  const dir = dirname(file)
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await mkdir(dir, { recursive: true })
    const handle = await open(temp, 'w', 0o644)
    try {
      await handle.writeFile(renderInstancesConfig(kind, instances), 'utf8')
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
