import { AdminError } from '../errors.js'
import { columns } from '../format.js'
import type { InstanceAdmin, InstanceInfo } from '../instances.js'
import type { Command, CommandContext } from '../table.js'
import { keyValues } from '../tokenize.js'

export type Kind = 'oci' | 'image'

/** How a kind is named in prose, with its article: `an OCI instance`, `an image instance`. */
const LABEL: Record<Kind, { name: string; article: string }> = { oci: { name: 'OCI', article: 'an' }, image: { name: 'image', article: 'an' } }
const one = (kind: Kind): string => `${LABEL[kind].article} ${LABEL[kind].name}`

function registry(ctx: CommandContext, kind: Kind): InstanceAdmin {
  const admin = ctx.deps.instances[kind]
  if (!admin) throw new AdminError('NOT_ENABLED', `${kind} backend not enabled`)
  return admin
}

function describe(info: InstanceInfo): string {
  return `${info.name}: store=${info.store} vhosts=${info.vhosts.join(',') || '-'}`
}

/** `/oci …` or `/image …`: the same five commands over that kind's InstanceAdmin. */
export function instanceCommands(kind: Kind): Command[] {
  return [
    {
      words: [kind, 'list'], args: '', summary: `list ${LABEL[kind].name} instances`, open: true, min: 0, max: 0,
      async run(ctx) {
        const list = await registry(ctx, kind).list()
        if (list.length === 0) return `no ${kind} instances`
        return columns([['NAME', 'STORE', 'VHOSTS'], ...list.map((i) => [i.name, i.store, i.vhosts.join(',') || '-'])])
      },
    },
    {
      words: [kind, 'create'], args: '<name> [store=<name>] vhost=<host> [vhost=<host>…]',
      summary: `create ${one(kind)} instance (live, no restart)`, min: 2, max: Infinity,
      async run(ctx, [name, ...rest]) {
        const pairs = keyValues(rest, ['store', 'vhost'])
        const stores = pairs.filter(([k]) => k === 'store').map(([, v]) => v)
        if (stores.length > 1) throw new AdminError('ARGUMENT_INVALID', 'store= may be given once')
        const vhosts = pairs.filter(([k]) => k === 'vhost').map(([, v]) => v)
        if (vhosts.length === 0) throw new AdminError('USAGE', `usage: /${kind} create <name> [store=<name>] vhost=<host>`)
        const info = await registry(ctx, kind).create(name!, { store: stores[0], vhosts }, ctx.actor)
        return `created ${describe(info)}`
      },
    },
    {
      words: [kind, 'set'], args: '<name> store=<name> | vhost=<host>', summary: `change ${one(kind)} instance's store or add a vhost`, min: 2, max: 2,
      async run(ctx, [name, arg]) {
        const [[key, value]] = keyValues([arg!], ['store', 'vhost']) as [[string, string]]
        const info = await registry(ctx, kind).set(name!, key === 'store' ? { store: value } : { vhost: value }, ctx.actor)
        return `updated ${describe(info)}`
      },
    },
    {
      words: [kind, 'unset'], args: '<name> vhost=<host>', summary: `remove a vhost from ${one(kind)} instance`, min: 2, max: 2,
      async run(ctx, [name, arg]) {
        const [[, value]] = keyValues([arg!], ['vhost']) as [[string, string]]
        const info = await registry(ctx, kind).unset(name!, { vhost: value }, ctx.actor)
        return `updated ${describe(info)}`
      },
    },
    {
      words: [kind, 'delete'], args: '<name>', summary: `delete ${one(kind)} instance (its store is kept)`, min: 1, max: 1,
      async run(ctx, [name]) {
        await registry(ctx, kind).delete(name!, ctx.actor)
        return `deleted ${kind} instance '${name}'`
      },
    },
  ]
}
