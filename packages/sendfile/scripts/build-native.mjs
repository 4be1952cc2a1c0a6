// Compiles src/native/sendfile.c into dist/sendfile.node with the system C compiler against the running
// Node's N-API headers. Without a compiler or headers (or off Linux) it warns and leaves the package on its
// streaming fallback; EVERLOCK_REQUIRE_ZERO_COPY=1 turns that into a failure.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const source = join(root, 'src/native/sendfile.c')
const output = join(root, 'dist/sendfile.node')

function headerDirs() {
  const dirs = []
  if (process.env.npm_config_nodedir) dirs.push(join(process.env.npm_config_nodedir, 'include/node'))
  dirs.push(resolve(dirname(process.execPath), '../include/node'), '/usr/include/node', '/usr/local/include/node')
  return dirs.filter((dir) => existsSync(join(dir, 'node_api.h')))
}

function fail(reason) {
  const message = `@everlock/sendfile: zero-copy transfers unavailable (${reason}); file bodies will be streamed`
  if (process.env.EVERLOCK_REQUIRE_ZERO_COPY === '1') {
    console.error(message)
    process.exit(1)
  }
  console.warn(message)
  process.exit(0)
}

if (process.platform !== 'linux') fail(`sendfile(2) is used on Linux only, this is ${process.platform}`)
const [includeDir] = headerDirs()
if (!includeDir) fail('no Node headers (node_api.h) found')
mkdirSync(dirname(output), { recursive: true })
const compiler = process.env.CC || 'cc'
try {
  execFileSync(compiler, ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=sendfile', `-I${includeDir}`, source, '-o', output, '-lpthread'], { stdio: 'inherit' })
} catch (err) {
  fail(`${compiler} failed: ${err instanceof Error ? err.message : String(err)}`)
}
console.log(`@everlock/sendfile: built ${output}`)
