// Start-up checks that need no running server: the data directory's modes, the warning for an empty registry set.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { instancesToServe } from '../../src/bootstrap-instances.js'
import { OCI_KIND } from '../../src/config/kinds.js'
import { ownerOnlyDataDir } from '../../src/data-dir.js'
import type { Log } from '../../src/log.js'

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, info() {}, error() {}, warn: (m) => void warnings.push(m) }
}

const modeOf = (path: string): number => statSync(path).mode & 0o777

describe('start-up checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'everlock-startup-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('creates the data directory owner-only, and says nothing when it is so', async () => {
    const log = recordingLog()
    const dir = join(root, 'fresh', 'data')
    await ownerOnlyDataDir(dir, log)
    expect(modeOf(dir)).toBe(0o700)
    await ownerOnlyDataDir(dir, log)
    expect(log.warnings).toEqual([])
  })

  it('makes an existing data directory that others can read owner-only, with a warning naming the old mode', async () => {
    const log = recordingLog()
    const dir = join(root, 'old')
    mkdirSync(dir)
    chmodSync(dir, 0o755)
    await ownerOnlyDataDir(dir, log)
    expect(modeOf(dir)).toBe(0o700)
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toContain('755')
  })

  it('warns when --backend-oci-http would serve no registry at all (empty oci-http.toml, no vhost)', async () => {
    const config = join(root, 'config')
    mkdirSync(config)
    writeFileSync(join(config, 'oci-http.toml'), '')
    const log = recordingLog()
    expect((await instancesToServe(config, OCI_KIND, undefined, log)).instances).toEqual([])
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/--backend-oci-http-vhost/)

    const quiet = recordingLog()
    await instancesToServe(config, OCI_KIND, { vhost: 'localhost', store: 'everlock-oci-local' }, quiet)
    await instancesToServe(config, OCI_KIND, undefined, quiet) // now the file has `default`
    expect(quiet.warnings).toEqual([])
  })
})
