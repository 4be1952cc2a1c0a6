import type { InstanceAdmin, InstanceInfo, Actor } from '@everlock/backend-admin'
import { createOciRegistry, type OciRegistry, type SendFile } from '@everlock/backend-oci'
import { basicChallenge, DEFAULT_REALM, renderOciError, type HttpFrontend } from '@everlock/frontend-http'
import type { Stores } from '@everlock/versioned-storage'
import type { OciInstanceConfig } from './config/oci-config.js'
import { writeOciConfig } from './config/write.js'
import { EverlockError } from './errors.js'
import type { Log } from './log.js'
import {
  defaultStoreFor,
  INSTANCE_NAME_EXPECTED,
  isInstanceName,
  isRegistryStoreName,
  normaliseVhost,
  STORE_NAME_EXPECTED,
  VHOST_EXPECTED,
} from './names.js'

export interface OciInstancesOptions {
  readonly stores: Stores
  readonly frontend: Pick<HttpFrontend, 'vhosts' | 'authorizer'>
  /** `config/oci-http.toml`; every change is written here before it goes live. */
  readonly configFile: string
  readonly log: Log
  /** Sends blob bodies from local files (zero-copy); without it they are streamed. */
  readonly sendFile?: SendFile
  /** Open upload sessions per user in each registry (the registry's default when absent). */
  readonly maxUploadsPerUser?: number
}

export interface OciInstances extends InstanceAdmin {
  /** Mount the instances read from the config file (no write). */
  start(instances: readonly OciInstanceConfig[]): Promise<void>
  /**
   * Make the live instances match `desired` (a config file edited by hand, already validated): new ones are
   * mounted, removed ones unmounted, changed stores and vhosts swapped. The file is not written.
   */
  reload(desired: readonly OciInstanceConfig[]): Promise<{ added: number; removed: number; changed: number }>
  /** Unmount everything (the frontend stops routing to them). */
  close(): void
}

interface Live {
  readonly config: OciInstanceConfig
  readonly registry: OciRegistry
}

/**
 * The OCI instance registry behind `/oci …`: each change is checked, its store opened, written to the config
 * file (temp + rename) and then applied to the live vhost table, so the next request sees it.
 */
export function createOciInstances(options: OciInstancesOptions): OciInstances {
  const { stores, frontend, configFile, log } = options
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

  async function registryFor(config: OciInstanceConfig): Promise<OciRegistry> {
    const store = await stores.open(config.store)
    return createOciRegistry({
      store,
      authorize: frontend.authorizer(`http/oci/${config.name}`),
      ...(options.sendFile ? { sendFile: options.sendFile } : {}),
      ...(options.maxUploadsPerUser !== undefined ? { maxUploadsPerUser: options.maxUploadsPerUser } : {}),
      pingChallenge: basicChallenge(DEFAULT_REALM),
      log: (message, error) => log.error(`oci ${config.name}: ${message}`, { error: error instanceof Error ? error.message : error }),
    })
  }

  function route(config: OciInstanceConfig, registry: OciRegistry, hosts: readonly string[]): void {
    for (const host of hosts) {
      frontend.vhosts.set(host, {
        backend: 'oci',
        instance: config.name,
        accessPath: `http/oci/${config.name}`,
        handler: registry,
        authorizesItself: true,
        renderError: renderOciError,
      })
    }
  }

  const configs = (): OciInstanceConfig[] => [...live.values()].map((l) => l.config)

  async function persist(next: OciInstanceConfig[]): Promise<void> {
    await writeOciConfig(configFile, next)
  }

  function get(name: string): Live {
    const found = live.get(name)
    if (!found) throw new EverlockError('INSTANCE_UNKNOWN', `unknown oci instance '${name}'`)
    return found
  }

  function checkVhost(input: string, self?: string): string {
    const host = normaliseVhost(input)
    if (!host) throw new EverlockError('VHOST_INVALID', `invalid vhost '${String(input).slice(0, 80)}': expected ${VHOST_EXPECTED}`)
    for (const l of live.values()) {
      if (l.config.vhosts.includes(host) && l.config.name !== self) {
        throw new EverlockError('VHOST_TAKEN', `vhost '${host}' is already used by oci instance '${l.config.name}'`)
      }
    }
    return host
  }

  function checkStore(store: string, self?: string): string {
    if (!isRegistryStoreName(store)) throw new EverlockError('STORE_NAME_INVALID', `invalid store '${String(store).slice(0, 80)}': expected ${STORE_NAME_EXPECTED}`)
    for (const l of live.values()) {
      if (l.config.store === store && l.config.name !== self) {
        throw new EverlockError('STORE_IN_USE', `store '${store}' is already used by oci instance '${l.config.name}'`)
      }
    }
    return store
  }

  const info = (c: OciInstanceConfig): InstanceInfo => ({ name: c.name, store: c.store, vhosts: [...c.vhosts] })

  function replace(next: OciInstanceConfig): OciInstanceConfig[] {
    return configs().map((c) => (c.name === next.name ? next : c))
  }

  return {
    async start(instances) {
      for (const config of instances) {
        const registry = await registryFor(config)
        live.set(config.name, { config, registry })
        route(config, registry, config.vhosts)
        log.info(`oci instance ${config.name}: store ${config.store}, vhosts ${config.vhosts.join(', ')}`)
      }
    },

    async list() {
      return configs().map(info)
    },

    create(name, opts, actor: Actor) {
      return serial(async () => {
        if (!isInstanceName(name)) throw new EverlockError('INSTANCE_NAME_INVALID', `invalid instance name '${String(name).slice(0, 80)}': expected ${INSTANCE_NAME_EXPECTED}`)
        if (live.has(name)) throw new EverlockError('INSTANCE_EXISTS', `oci instance '${name}' already exists`)
        if (opts.vhosts.length === 0) throw new EverlockError('VHOST_INVALID', 'an oci instance needs at least one vhost')
        const vhosts = [...new Set(opts.vhosts.map((v) => checkVhost(v)))]
        const config: OciInstanceConfig = { name, store: checkStore(opts.store ?? defaultStoreFor(name)), vhosts }
        const registry = await registryFor(config)
        try {
          await persist([...configs(), config])
        } catch (err) {
          registry.close()
          throw err
        }
        live.set(name, { config, registry })
        route(config, registry, vhosts)
        log.info(`oci instance ${name} created by ${actor.by}: store ${config.store}, vhosts ${vhosts.join(', ')}`)
        return info(config)
      })
    },

    set(name, change, actor) {
      return serial(async () => {
        const current = get(name)
        if (change.store !== undefined) {
          const config: OciInstanceConfig = { ...current.config, store: checkStore(change.store, name) }
          const registry = await registryFor(config)
          try {
            await persist(replace(config))
          } catch (err) {
            registry.close()
            throw err
          }
          live.set(name, { config, registry })
          route(config, registry, config.vhosts)
          current.registry.close()
          log.info(`oci instance ${name}: store set to ${config.store} by ${actor.by}`)
        }
        if (change.vhost !== undefined) {
          const host = checkVhost(change.vhost, name)
          const now = get(name)
          if (!now.config.vhosts.includes(host)) {
            const config: OciInstanceConfig = { ...now.config, vhosts: [...now.config.vhosts, host] }
            await persist(replace(config))
            live.set(name, { config, registry: now.registry })
            route(config, now.registry, [host])
            log.info(`oci instance ${name}: vhost ${host} added by ${actor.by}`)
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
          throw new EverlockError('VHOST_INVALID', `oci instance '${name}' has no vhost '${String(change.vhost).slice(0, 80)}'`)
        }
        if (current.config.vhosts.length === 1) {
          throw new EverlockError('VHOST_LAST', `'${host}' is the last vhost of oci instance '${name}'; delete the instance instead`)
        }
        const config: OciInstanceConfig = { ...current.config, vhosts: current.config.vhosts.filter((v) => v !== host) }
        await persist(replace(config))
        live.set(name, { config, registry: current.registry })
        frontend.vhosts.delete(host)
        log.info(`oci instance ${name}: vhost ${host} removed by ${actor.by}`)
        return info(config)
      })
    },

    delete(name, actor) {
      return serial(async () => {
        const current = get(name)
        await persist(configs().filter((c) => c.name !== name))
        live.delete(name)
        for (const host of current.config.vhosts) frontend.vhosts.delete(host)
        current.registry.close()
        log.info(`oci instance ${name} deleted by ${actor.by} (store ${current.config.store} kept)`)
      })
    },

    reload(desired) {
      return serial(async () => {
        const want = new Map(desired.map((c) => [c.name, c]))
        // Open what is new first: if a store cannot be opened, nothing has changed yet.
        const fresh = new Map<string, OciRegistry>()
        try {
          for (const c of desired) {
            const cur = live.get(c.name)
            if (!cur || cur.config.store !== c.store) fresh.set(c.name, await registryFor(c))
          }
        } catch (err) {
          for (const r of fresh.values()) r.close()
          throw err
        }
        let removed = 0
        let changed = 0
        // Removals before additions, so a vhost may move from one instance to another.
        for (const [name, cur] of live) {
          const next = want.get(name)
          for (const host of cur.config.vhosts) if (!next?.vhosts.includes(host)) frontend.vhosts.delete(host)
          if (!next) {
            cur.registry.close()
            removed++
          } else if (next.store !== cur.config.store || next.vhosts.join() !== cur.config.vhosts.join()) changed++
        }
        const before = new Map(live)
        live.clear()
        for (const c of desired) {
          const cur = before.get(c.name)
          const registry = fresh.get(c.name) ?? cur!.registry
          route(c, registry, c.vhosts)
          if (cur && fresh.has(c.name)) cur.registry.close()
          live.set(c.name, { config: c, registry })
        }
        const added = desired.filter((c) => !before.has(c.name)).length
        log.info(`oci instances reloaded from ${configFile}: ${added} added, ${removed} removed, ${changed} changed`)
        return { added, removed, changed }
      })
    },

    close() {
      closed = true
      for (const { config, registry } of live.values()) {
        for (const host of config.vhosts) frontend.vhosts.delete(host)
        registry.close()
      }
      live.clear()
    },
  }
}
