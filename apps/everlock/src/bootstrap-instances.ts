import { join } from 'node:path'
import { loadInstancesConfig, validate, type InstanceConfig } from './config/instances-config.js'
import type { InstanceKind } from './config/kinds.js'
import { Problems } from './config/problems.js'
import { writeInstancesConfig } from './config/write.js'
import { EverlockError } from './errors.js'
import type { Log } from './log.js'

export const BOOTSTRAP_INSTANCE = 'default'

/** The bootstrap flags of one kind (`--backend-<kind>-http-vhost/-store`, image: `-public-url`). */
export interface Bootstrap {
  readonly vhost: string
  readonly store: string
  readonly publicUrl?: string
}

export interface InstancesToServe {
  readonly kind: InstanceKind
  readonly file: string
  readonly instances: InstanceConfig[]
}

/**
 * The instances of one kind to serve: `config/<kind>-http.toml`, plus the instance `default` from the
 * bootstrap flags when the file has none (then written to the file, so it stays).
 */
export async function instancesToServe(configDir: string, kind: InstanceKind, bootstrap: Bootstrap | undefined, log: Log): Promise<InstancesToServe> {
  const file = join(configDir, kind.file)
  const configured = await loadInstancesConfig(file, kind)
  const flags = `--backend-${kind.kind}-http-vhost/-store`
  if (!bootstrap) {
    if (configured.length === 0) {
      log.warn(
        `no ${kind.noun} is configured in ${file}, so none is served (every request answers "unknown host"): ` +
          `add one with --backend-${kind.kind}-http-vhost <host>, with '/${kind.kind} create <name> vhost=<host>' in the SSH console, or in the file`,
      )
    }
    return { kind, file, instances: configured }
  }
  const existing = configured.find((i) => i.name === BOOTSTRAP_INSTANCE)
  if (existing) {
    if (existing.store !== bootstrap.store || !existing.vhosts.includes(bootstrap.vhost)) {
      log.info(`${kind.kind} instance ${BOOTSTRAP_INSTANCE} is configured in ${file}; ${flags} are not applied again`)
    }
    return { kind, file, instances: configured }
  }
  const created: InstanceConfig = {
    name: BOOTSTRAP_INSTANCE,
    store: bootstrap.store,
    vhosts: [bootstrap.vhost],
    ...(kind.publicUrl && bootstrap.publicUrl !== undefined ? { publicUrl: bootstrap.publicUrl } : {}),
  }
  const instances = [...configured, created]
  const problems = new Problems(`${file} + ${flags}`)
  validate(instances, problems)
  if (!problems.empty) throw new EverlockError('CONFIG_INVALID', `${problems.file}: conflicting instances`, { problems: problems.list })
  await writeInstancesConfig(file, kind, instances)
  return { kind, file, instances }
}

/** Rules across kinds: a vhost or a store belongs to one instance of one kind. Throws CONFIG_INVALID listing every clash. */
export function validateAcrossKinds(sets: readonly InstancesToServe[]): void {
  const problems: Problems[] = []
  const vhostOwner = new Map<string, string>()
  const storeOwner = new Map<string, string>()
  for (const set of sets) {
    const p = new Problems(set.file)
    for (const inst of set.instances) {
      const here = `instances.${inst.name} of ${set.kind.file}`
      inst.vhosts.forEach((host, i) => {
        const owner = vhostOwner.get(host)
        if (owner !== undefined) p.add(`instances.${inst.name}.vhosts[${i}]`, `vhost "${host}" used by one instance only (also in ${owner})`)
        else vhostOwner.set(host, here)
      })
      const owner = storeOwner.get(inst.store)
      if (owner !== undefined) p.add(`instances.${inst.name}.store`, `a store of its own ("${inst.store}" is also used by ${owner})`)
      else storeOwner.set(inst.store, here)
    }
    problems.push(p)
  }
  const all = problems.flatMap((p) => p.list)
  if (all.length > 0) throw new EverlockError('CONFIG_INVALID', `${all.length} problem${all.length === 1 ? '' : 's'} across config files`, { problems: all })
}
