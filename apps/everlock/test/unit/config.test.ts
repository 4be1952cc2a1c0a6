import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadOciConfig, parseOciConfig } from '../../src/config/instances-config.js'
import { renderOciConfig, writeOciConfig } from '../../src/config/write.js'
import { isEverlockError } from '../../src/errors.js'

function problemsOf(text: string): string[] {
  try {
    parseOciConfig(text, 'oci-http.toml')
  } catch (err) {
    if (isEverlockError(err, 'CONFIG_INVALID')) return err.problems.map((p) => p.key)
    throw err
  }
  return []
}

describe('config/oci-http.toml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-config-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('normalises: default store per instance, vhosts lower-cased, a single vhost string accepted', () => {
    const got = parseOciConfig('[instances.a]\nvhosts = ["Reg.LocalHost."]\n[instances.b]\nstore = "s-b"\nvhosts = "::1"\n', 'f')
    expect(got).toEqual([
      { name: 'a', store: 'everlock-oci-a', vhosts: ['reg.localhost'] },
      { name: 'b', store: 's-b', vhosts: ['[::1]'] },
    ])
  })

  it('reports every problem at once, each with its key', () => {
    expect(
      problemsOf('x = 1\n[instances."a b"]\nvhosts=["h"]\n[instances.c]\nstore = 5\nvhosts = ["h", "bad host"]\n[instances.d]\nstore = "everlock-system"\nvhosts=["h2"]\nfoo = true\n'),
    ).toEqual(['x', 'instances.a b', 'instances.c.store', 'instances.c.vhosts[1]', 'instances.d.foo', 'instances.d.store', 'instances.c.vhosts[0]'])
  })

  it('refuses a store shared by two instances and a non-table instances key', () => {
    expect(problemsOf('[instances.a]\nstore="s"\nvhosts=["a"]\n[instances.b]\nstore="s"\nvhosts=["b"]\n')).toEqual(['instances.b.store'])
    expect(problemsOf('instances = 3\n')).toEqual(['instances'])
  })

  it('a missing file is an empty configuration; written files read back the same', async () => {
    const file = join(dir, 'oci-http.toml')
    expect(await loadOciConfig(file)).toEqual([])
    const instances = [
      { name: 'second', store: 'everlock-oci-second', vhosts: ['reg2.localhost'] },
      { name: 'default', store: 'everlock-oci-local', vhosts: ['localhost', '127.0.0.1'] },
    ]
    await writeOciConfig(file, instances)
    expect(await loadOciConfig(file)).toEqual([...instances].reverse())
    expect(readFileSync(file, 'utf8')).toBe(renderOciConfig(instances))
  })
})
