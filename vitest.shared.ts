// Shared vitest settings: workspace packages resolve to their sources in tests, so a test never
// depends on another package's build output being present or fresh.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type ViteUserConfig } from 'vitest/config'

const root = dirname(fileURLToPath(import.meta.url))

interface Alias {
  find: string
  replacement: string
}

/** `@everlock/<dir>` and each of its subpath exports (`./testing`) → `packages/<dir>/src/<entry>.ts`. */
function workspaceAliases(): Alias[] {
  const aliases: Alias[] = []
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json')
    if (!existsSync(manifest)) continue
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, unknown> }
    for (const subpath of Object.keys(pkg.exports ?? {})) {
      if (subpath === '.') continue
      const entry = subpath.slice(2)
      aliases.push({ find: `${pkg.name}/${entry}`, replacement: join(root, 'packages', dir, 'src', `${entry}.ts`) })
    }
    aliases.push({ find: pkg.name, replacement: join(root, 'packages', dir, 'src', 'index.ts') })
  }
  return aliases
}

export function everlockVitestConfig(overrides: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      ...overrides,
    },
  })
}
