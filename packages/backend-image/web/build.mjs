// Bundles the gallery client (web/main.ts + web/style.css) into dist/web/ with content-hashed names, writes
// index.html pointing at them, and pre-compresses each file (.br, .gz) so the server never compresses at run time.
import { build } from 'esbuild'
import { mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const out = join(here, '..', 'dist', 'web')
await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })

const result = await build({
  entryPoints: { app: join(here, 'main.ts'), style: join(here, 'style.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: out,
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
})

const files = Object.keys(result.metafile.outputs).map((p) => basename(p))
const js = files.find((f) => f.startsWith('app-') && f.endsWith('.js'))
const css = files.find((f) => f.startsWith('style-') && f.endsWith('.css'))
if (!js || !css) throw new Error(`web build: missing outputs in ${files.join(', ')}`)
const template = await readFile(join(here, 'index.html'), 'utf8')
await writeFile(join(out, 'index.html'), template.replace('%APP_JS%', `/app/${js}`).replace('%APP_CSS%', `/app/${css}`))

for (const name of await readdir(out)) {
  if (name.endsWith('.map')) continue
  const bytes = await readFile(join(out, name))
  await writeFile(join(out, `${name}.br`), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
  await writeFile(join(out, `${name}.gz`), gzipSync(bytes, { level: 9 }))
}
const gz = (await readFile(join(out, `${js}.gz`))).length
console.log(`web: dist/web/${js} ${(gz / 1024).toFixed(1)} KB gzip, dist/web/${css}`)
