import type { InstanceAdmin, InstanceInfo, Actor } from '@everlock/backend-admin'
import type { Authorize, HttpFrontend, RenderError, RequestListener } from '@everlock/frontend-http'
import type { Store, Stores } from '@everlock/versioned-storage'
import type { InstanceConfig } from './config/instances-config.js'
import type { InstanceKind } from './config/kinds.js'
import { writeInstancesConfig } from './config/write.js'
import { EverlockError } from './errors.js'
import type { Log } from './log.js'
import { INSTANCE_NAME_EXPECTED, isInstanceName, isRegistryStoreName, normaliseVhost, STORE_NAME_EXPECTED, VHOST_EXPECTED } from './names.js'

/** One live instance's request handling, as a backend kind builds it from its config and store. */
export interface Mounted {
  readonly handler: RequestListener
  /** true: the handler calls `authorize` with finer needs itself; false: the frontend checks method → role. */
  readonly authorizesItself: boolean
  readonly renderError?: RenderError
  /** Send `Strict-Transport-Security` over HTTPS (web apps). */
  readonly hsts?: boolean
  /** Stop background work (job handlers, timers); called once the instance no longer receives requests. */
  close(): void | Promise<void>
}

/** What a kind needs to build one instance's handler. */
export interface MountContext {
  readonly config: InstanceConfig
  readonly store: Store
  /** Grants on `http/<kind>/<instance>`, for the backend's own checks. */
  readonly authorize: Authorize
}

export interface InstancesOptions {
  readonly kind: InstanceKind
  readonly stores: Stores
  readonly frontend: Pick<HttpFrontend, 'vhosts' | 'authorizer'>
  /** `config/<kind>-http.toml`; every change is written here before it goes live. */
  readonly configFile: string
  readonly log: Log
  readonly mount: (ctx: MountContext) => Mounted | Promise<Mounted>
  /**
   * The instance managers of the other kinds: a vhost and a store belong to one instance of one kind,
   * so each change is checked against them too.
   */
  readonly peers?: () => readonly Instances[]
}

export interface Instances extends InstanceAdmin {
  readonly kind: InstanceKind
  /** The configuration of the live instances, in order. */
  configs(): InstanceConfig[]
  /** Mount the instances read from the config file (no write). */
  start(instances: readonly InstanceConfig[]): Promise<void>
  /**
   * Make the live instances match `desired` (a config file edited by hand, already validated): new ones are
   * mounted, removed ones unmounted, changed stores and vhosts swapped. The file is not written.
   */
  reload(desired: readonly InstanceConfig[]): Promise<{ added: number; removed: number; changed: number }>
  /** Unmount everything (the frontend stops routing to them) and stop their background work. */
  close(): Promise<void>
}

interface Live {
  readonly config: InstanceConfig
  readonly mounted: Mounted
}

/** Does a change of `from` into `to` need a new handler (not just other vhosts)? */
const needsRemount = (from: InstanceConfig, to: InstanceConfig): boolean => from.store !== to.store || from.publicUrl !== to.publicUrl

/**
 * The instance registry of one vhosted backend kind, behind `/oci …` or `/image …`: each change is checked,
 * its store opened, written to the config file (temp + rename) and then applied to the live vhost table, so
 * the next request sees it. Creating and deleting instances is live too.
 */
export function createInstances(options: InstancesOptions): Instances {
  const { kind, stores, frontend, configFile, log } = options
  const live = new Map<string, Live>()
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  /** One change at a time, in order. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(() => {
      if (closed) throw new EverlockError('CLOSED', 'everlock is shutting down')
      return fn()
    })
    queue = run.catch(() => undefined)
    return run
  }

  const accessPath = (name: string): string => `http/${kind.kind}/${name}`

  async function mount(config: InstanceConfig): Promise<Mounted> {
    const store = await stores.open(config.store)
    return options.mount({ config, store, authorize: frontend.authorizer(accessPath(config.name)) })
  }

  function unmount(name: string, mounted: Mounted): void {
    Promise.resolve()
      .then(() => mounted.close())
      .catch((err: unknown) => log.error(`${kind.kind} instance ${name}: close failed`, { error: err instanceof Error ? err.message : String(err) }))
  }

  function route(config: InstanceConfig, mounted: Mounted, hosts: readonly string[]): void {
    for (const host of hosts) {
      frontend.vhosts.set(host, {
        backend: kind.kind,
        instance: config.name,
        accessPath: accessPath(config.name),
        handler: mounted.handler,
        authorizesItself: mounted.authorizesItself,
        ...(mounted.renderError ? { renderError: mounted.renderError } : {}),
        ...(mounted.hsts ? { hsts: true } : {}),
      })
    }
  }

  const configs = (): InstanceConfig[] => [...live.values()].map((l) => l.config)

  /** Stop routing `host` to instance `name` — unless another kind's instance has taken it meanwhile (a reload moving it). */
  function release(host: string, name: string): void {
    const entry = frontend.vhosts.match(host)
    if (entry && entry.backend === kind.kind && entry.instance === name) frontend.vhosts.delete(host)
  }

  function get(name: string): Live {
    const found = live.get(name)
    if (!found) throw new EverlockError('INSTANCE_UNKNOWN', `unknown ${kind.kind} instance '${String(name).slice(0, 80)}'`)
    return found
  }

  /** Who holds `test` among every kind's instances, other than `self` of this kind. */
  function holder(test: (c: InstanceConfig) => boolean, self?: string): string | undefined {
    for (const manager of options.peers?.() ?? []) {
      if (manager.kind.kind === kind.kind) continue
      const found = manager.configs().find(test)
      if (found) return `${manager.kind.noun} '${found.name}'`
    }
    for (const c of configs()) if (test(c) && c.name !== self) return `${kind.noun} '${c.name}'`
    return undefined
  }

  function checkVhost(input: string, self?: string): string {
    const host = normaliseVhost(input)
    if (!host) throw new EverlockError('VHOST_INVALID', `invalid vhost '${String(input).slice(0, 80)}': expected ${VHOST_EXPECTED}`)
    const owner = holder((c) => c.vhosts.includes(host), self)
    if (owner) throw new EverlockError('VHOST_TAKEN', `vhost '${host}' is already used by ${owner}`)
    return host
  }

  function checkStore(store: string, self?: string): string {
    if (!isRegistryStoreName(store)) throw new EverlockError('STORE_NAME_INVALID', `invalid store '${String(store).slice(0, 80)}': expected ${STORE_NAME_EXPECTED}`)
    const owner = holder((c) => c.store === store, self)
    if (owner) throw new EverlockError('STORE_IN_USE', `store '${store}' is already used by ${owner}`)
    return store
  }

  const info = (c: InstanceConfig): InstanceInfo => ({ name: c.name, store: c.store, vhosts: [...c.vhosts] })

  const replace = (next: InstanceConfig): InstanceConfig[] => configs().map((c) => (c.name === next.name ? next : c))

  const persist = (next: InstanceConfig[]): Promise<void> => writeInstancesConfig(configFile, kind, next)

  /** Mount `config`, write `next` to the file, and only then make it live; a failed write unmounts again. */
  async function mountPersisted(config: InstanceConfig, next: InstanceConfig[]): Promise<Mounted> {
    const mounted = await mount(config)
    try {
      await persist(next)
    } catch (err) {
      unmount(config.name, mounted)
      throw err
    }
    return mounted
  }

  return {
    kind,
    configs,

    async start(instances) {
      for (const config of instances) {
        const mounted = await mount(config)
        live.set(config.name, { config, mounted })
        route(config, mounted, config.vhosts)
        log.info(`${kind.kind} instance ${config.name}: store ${config.store}, vhosts ${config.vhosts.join(', ')}`)
      }
    },

    async list() {
      return configs().map(info)
    },

    create(name, opts, actor: Actor) {
      return serial(async () => {
        if (!isInstanceName(name)) throw new EverlockError('INSTANCE_NAME_INVALID', `invalid instance name '${String(name).slice(0, 80)}': expected ${INSTANCE_NAME_EXPECTED}`)
        if (live.has(name)) throw new EverlockError('INSTANCE_EXISTS', `${kind.kind} instance '${name}' already exists`)
        if (opts.vhosts.length === 0) throw new EverlockError('VHOST_INVALID', `${kind.aNoun} needs at least one vhost`)
        const vhosts = [...new Set(opts.vhosts.map((v) => checkVhost(v)))]
        const config: InstanceConfig = { name, store: checkStore(opts.store ?? kind.defaultStore(name)), vhosts }
        const mounted = await mountPersisted(config, [...configs(), config])
        live.set(name, { config, mounted })
        route(config, mounted, vhosts)
        log.info(`${kind.kind} instance ${name} created by ${actor.by}: store ${config.store}, vhosts ${vhosts.join(', ')}`)
        return info(config)
      })
    },

    set(name, change, actor) {
      return serial(async () => {
        const current = get(name)
        if (change.store !== undefined) {
          const config: InstanceConfig = { ...current.config, store: checkStore(change.store, name) }
          const mounted = await mountPersisted(config, replace(config))
          live.set(name, { config, mounted })
          route(config, mounted, config.vhosts)
          unmount(name, current.mounted)
          log.info(`${kind.kind} instance ${name}: store set to ${config.store} by ${actor.by}`)
        }
        if (change.vhost !== undefined) {
          const host = checkVhost(change.vhost, name)
          const now = get(name)
          if (!now.config.vhosts.includes(host)) {
            const config: InstanceConfig = { ...now.config, vhosts: [...now.config.vhosts, host] }
            await persist(replace(config))
            live.set(name, { config, mounted: now.mounted })
            route(config, now.mounted, [host])
            log.info(`${kind.kind} instance ${name}: vhost ${host} added by ${actor.by}`)
          }
        }
        return info(get(name).config)
      })
    },

    unset(name, change, actor) {
      return serial(async () => {
        const current = get(name)
        const host = normaliseVhost(change.vhost)
        if (!host || !current.config.vhosts.includes(host)) {
          throw new EverlockError('VHOST_INVALID', `${kind.kind} instance '${name}' has no vhost '${String(change.vhost).slice(0, 80)}'`)
        }
        if (current.config.vhosts.length === 1) {
          throw new EverlockError('VHOST_LAST', `'${host}' is the last vhost of ${kind.kind} instance '${name}'; delete the instance instead`)
        }
        const config: InstanceConfig = { ...current.config, vhosts: current.config.vhosts.filter((v) => v !== host) }
        await persist(replace(config))
        live.set(name, { config, mounted: current.mounted })
        release(host, name)
        log.info(`${kind.kind} instance ${name}: vhost ${host} removed by ${actor.by}`)
        return info(config)
      })
    },

    delete(name, actor) {
      return serial(async () => {
        const current = get(name)
        await persist(configs().filter((c) => c.name !== name))
        live.delete(name)
        for (const host of current.config.vhosts) release(host, name)
        unmount(name, current.mounted)
        log.info(`${kind.kind} instance ${name} deleted by ${actor.by} (store ${current.config.store} kept)`)
      })
    },

    reload(desired) {
      return serial(async () => {
        const want = new Map(desired.map((c) => [c.name, c]))
        // Mount what is new first: if a store cannot be opened, nothing has changed yet.
        const fresh = new Map<string, Mounted>()
        try {
          for (const c of desired) {
            const cur = live.get(c.name)
            if (!cur || needsRemount(cur.config, c)) fresh.set(c.name, await mount(c))
          }
        } catch (err) {
          for (const [name, m] of fresh) unmount(name, m)
          throw err
        }
        let removed = 0
        let changed = 0
        // Removals before additions, so a vhost may move from one instance to another.
        for (const [name, cur] of live) {
          const next = want.get(name)
          for (const host of cur.config.vhosts) if (!next?.vhosts.includes(host)) release(host, name)
          if (!next) {
            unmount(name, cur.mounted)
            removed++
          } else if (needsRemount(cur.config, next) || next.vhosts.join() !== cur.config.vhosts.join()) changed++
        }
        const before = new Map(live)
        live.clear()
        for (const c of desired) {
          const cur = before.get(c.name)
          const mounted = fresh.get(c.name) ?? cur!.mounted
          route(c, mounted, c.vhosts)
          if (cur && fresh.has(c.name)) unmount(c.name, cur.mounted)
          live.set(c.name, { config: c, mounted })
        }
        const added = desired.filter((c) => !before.has(c.name)).length
        log.info(`${kind.kind} instances reloaded from ${configFile}: ${added} added, ${removed} removed, ${changed} changed`)
        return { added, removed, changed }
      })
    },

    async close() {
      closed = true
      const closing: Array<void | Promise<void>> = []
      for (const { config, mounted } of live.values()) {
        for (const host of config.vhosts) release(host, config.name)
        closing.push(mounted.close())
      }
      live.clear()
      await Promise.allSettled(closing)
    },
  }
}
