import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { createAdminInterpreter, type AdminInterpreter, type ConsoleAi, type ConsoleAiInfo, type ConsoleAiMessage, type InstanceAdmin, type InstanceInfo } from '@everlock/backend-admin'

/** An InstanceAdmin kept in memory (the app's real one persists to TOML; that is not under test here). */
export function memoryInstances(): InstanceAdmin & { calls: Array<{ op: string; by: string }> } {
  const items = new Map<string, InstanceInfo>()
  const calls: Array<{ op: string; by: string }> = []
  const get = (name: string): InstanceInfo => {
    const info = items.get(name)
    if (!info) throw Object.assign(new Error(`unknown instance '${name}'`), { code: 'INSTANCE_UNKNOWN' })
    return info
  }
  return {
    calls,
    async list() {
      return [...items.values()]
    },
    async create(name, opts, actor) {
      if (items.has(name)) throw Object.assign(new Error(`instance '${name}' already exists`), { code: 'INSTANCE_EXISTS' })
      const info = { name, store: opts.store ?? `everlock-oci-${name}`, vhosts: [...opts.vhosts] }
      items.set(name, info)
      calls.push({ op: `create ${name}`, by: actor.by })
      return info
    },
    async set(name, change, actor) {
      const cur = get(name)
      const info = { ...cur, store: change.store ?? cur.store, vhosts: change.vhost ? [...cur.vhosts, change.vhost] : cur.vhosts }
      items.set(name, info)
      calls.push({ op: `set ${name}`, by: actor.by })
      return info
    },
    async unset(name, change, actor) {
      const cur = get(name)
      const info = { ...cur, vhosts: cur.vhosts.filter((v) => v !== change.vhost) }
      items.set(name, info)
      calls.push({ op: `unset ${name}`, by: actor.by })
      return info
    },
    async delete(name, actor) {
      get(name)
      items.delete(name)
      calls.push({ op: `delete ${name}`, by: actor.by })
    },
  }
}

export interface Console {
  dir: string
  stores: Stores
  auth: Auth
  oci: ReturnType<typeof memoryInstances>
  interpreter: AdminInterpreter
  logged: unknown[]
  close(): Promise<void>
}

/** Real auth-grants over a real versioned store in a temp dir, with `admin` holding owner on `*\/*\/*`. */
export async function openConsole(opts: { image?: boolean; ai?: ConsoleAi } = {}): Promise<Console> {
  const dir = await mkdtemp(join(tmpdir(), 'backend-admin-'))
  const stores = await openStores({ dir })
  const auth = await createAuth({ store: await stores.open('everlock-system'), kdf: { N: 2 ** 10 } })
  await auth.bootstrapAdmin('admin', 'change-me')
  const oci = memoryInstances()
  const logged: unknown[] = []
  const interpreter = createAdminInterpreter({
    auth,
    stores,
    instances: { oci, image: opts.image ? memoryInstances() : undefined },
    ai: opts.ai,
    log: (_m, err) => logged.push(err),
  })
  return {
    dir, stores, auth, oci, interpreter, logged,
    async close() {
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A model whose turns are scripted (the console's protocol is under test, not a model): each prompt answers
 * with the next turn, chunk by chunk, and records the messages it was handed.
 */
export function scriptedAi(turns: ReadonlyArray<readonly string[]>, info: Partial<ConsoleAiInfo> = {}): ConsoleAi & { seen: ConsoleAiMessage[][] } {
  const seen: ConsoleAiMessage[][] = []
  let next = 0
  return {
    seen,
    async *prompt(messages, { signal }) {
      seen.push(messages.map((m) => ({ ...m })))
      for (const chunk of turns[next++] ?? ['(no more turns)']) {
        if (signal.aborted) throw Object.assign(new Error('aborted'), { code: 'ABORTED' })
        await new Promise((r) => setImmediate(r))
        yield chunk
      }
    },
    info: () => ({
      model: '/models/m.gguf', engine: 'scripted', state: 'ready',
      queue: { running: 0, interactive: 0, background: 0 }, tokensPerSecond: { last: 12.5, average: 10 }, ...info,
    }),
  }
}
