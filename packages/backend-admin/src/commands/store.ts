import { AdminError } from '../errors.js'
import { printable } from '../format.js'
import type { AdminStore } from '../deps.js'
import type { Command, CommandContext } from '../table.js'

const DEFAULT_LIMIT = 1000

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
      return [head, ...problems]
    },
  },
]
