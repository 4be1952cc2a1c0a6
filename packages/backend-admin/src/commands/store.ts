import { AdminError } from '../errors.js'
import { printable } from '../format.js'
import type { AdminStore } from '../deps.js'
import type { Command, CommandContext } from '../table.js'
import { formatBytes, uploadLines, uploadSummary } from './store-uploads.js'

const DEFAULT_LIMIT = 1000
/** `/store uploads <store> sweep` spares orphan files younger than this: an upload may be being created. */
const ORPHAN_GRACE_MS = 60_000

async function known(ctx: CommandContext, name: string): Promise<AdminStore> {
  // open() creates stores on first use: look the name up first so a typo creates nothing
  if (!(await ctx.deps.stores.list()).includes(name)) throw new AdminError('NOT_FOUND', `unknown store '${name}'`)
  return ctx.deps.stores.open(name)
}

function limitOf(text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new AdminError('ARGUMENT_INVALID', `limit must be a positive number, not '${text}'`)
  return Number(text)
}

async function* logLines(store: AdminStore, path: string | undefined, limit: number): AsyncIterable<string> {
  let n = 0
  for await (const c of store.log({ path, limit })) {
    n++
    const message = printable(c.message.split('\n')[0] ?? '')
    yield `${c.id.slice(0, 12)} ${c.time} ${printable(c.author)} ${message}`
  }
  if (n === 0) yield path ? `no commits touch ${path}` : 'no commits'
}

export const storeCommands: Command[] = [
  {
    words: ['store', 'list'], args: '', summary: 'list stores', open: true, min: 0, max: 0,
    async run(ctx) {
      const names = await ctx.deps.stores.list()
      return names.length ? [...names].sort() : 'no stores'
    },
  },
  {
    words: ['store', 'log'], args: '<store> [path] [limit]', summary: `commits, newest first (default limit ${DEFAULT_LIMIT})`, min: 1, max: 3,
    async run(ctx, [name, a, b]) {
      const store = await known(ctx, name!)
      // `/store log s 20` means a limit; `/store log s some/path [20]` a path
      const numeric = a !== undefined && b === undefined && /^\d+$/.test(a)
      const path = numeric ? undefined : a
      const limit = numeric ? limitOf(a) : b !== undefined ? limitOf(b) : DEFAULT_LIMIT
      return logLines(store, path, limit)
    },
  },
  {
    words: ['store', 'verify'], args: '<store> [quick]', summary: 'check blobs, tree and commits (quick: skip rehashing)', min: 1, max: 2,
    async run(ctx, [name, mode]) {
      if (mode !== undefined && mode !== 'quick') throw new AdminError('USAGE', 'usage: /store verify <store> [quick]')
      const store = await known(ctx, name!)
      const report = await store.verify({ rehash: mode !== 'quick' })
      const head = `store ${name}: ${report.ok ? 'ok' : `${report.problems.length} problem(s)`}; checked ${report.blobsChecked} blobs, ${report.entriesChecked} entries, ${report.commitsChecked} commits`
      const problems = report.problems.map((p) =>
        `  ${p.kind} ${printable([p.path, p.digest].filter(Boolean).join(' '))} ${printable(p.detail)}`.trimEnd())
      const uploads = await uploadSummary(name!, store.uploads)
      return [head, ...problems, ...(uploads ? [uploads] : [])]
    },
  },
  {
    words: ['store', 'uploads'], args: '<store> [sweep | cancel <id>]', summary: 'uploads in progress and orphan files (size, age); sweep orphans, or cancel one', min: 1, max: 3,
    async run(ctx, [name, action, id]) {
      const usage = new AdminError('USAGE', 'usage: /store uploads <store> [sweep | cancel <id>]')
      const store = await known(ctx, name!)
      if (action === undefined) return uploadLines(name!, store.uploads)
      if (action === 'sweep' && id === undefined) {
        const swept = await store.uploads.sweep({ graceMs: ORPHAN_GRACE_MS })
        return `store ${name}: removed ${swept.orphans} orphan file(s) and ${swept.uploads} upload record(s) without bytes, cut ${swept.truncated} unacknowledged tail(s), ${formatBytes(swept.bytes)} freed (uploads in progress are left to their expiry or 'cancel')`
      }
      if (action !== 'cancel' || id === undefined) throw usage
      const status = await store.uploads.status(id)
      if (!status) throw new AdminError('NOT_FOUND', `no upload '${printable(id.slice(0, 80))}' in store ${name}`)
      await store.uploads.cancel(id)
      return `upload ${id} in store ${name} cancelled, ${formatBytes(status.size)} freed`
    },
  },
]
