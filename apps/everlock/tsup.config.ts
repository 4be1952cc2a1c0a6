import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  clean: false,
  sourcemap: true,
  target: 'node20',
  banner: { js: '' },
})
