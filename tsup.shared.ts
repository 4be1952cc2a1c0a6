// Shared tsup settings for every package: ESM for Node 20 with bundled .d.ts; `node:` imports kept as written.
import { defineConfig, type Options } from 'tsup'

export function everlockTsupConfig(entry: string[], overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    clean: false,
    sourcemap: true,
    target: 'node20',
    removeNodeProtocol: false,
    ...overrides,
  })
}
