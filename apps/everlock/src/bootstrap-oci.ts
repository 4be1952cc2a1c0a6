import { join } from 'node:path'
import { loadOciConfig, validate, type OciInstanceConfig } from './config/oci-config.js'
import { Problems } from './config/problems.js'
import { writeOciConfig } from './config/write.js'
import { EverlockError } from './errors.js'
import type { Log } from './log.js'

export const OCI_CONFIG_FILE = 'oci-http.toml'
export const BOOTSTRAP_INSTANCE = 'default'

/**
 * The OCI instances to serve: `config/oci-http.toml`, plus the instance `default` from
 * `--backend-oci-http-vhost/-store` when the file has none (then written to the file, so it stays).
 */
export async function ociInstancesToServe(
  configDir: string,
  bootstrap: { vhost: string; store: string } | undefined,
  log: Log,
): Promise<{ file: string; instances: OciInstanceConfig[] }> {
  const file = join(configDir, OCI_CONFIG_FILE)
  const configured = await loadOciConfig(file)
  if (!bootstrap) {
    if (configured.length === 0) {
      log.warn(
        `no OCI registry is configured in ${file}, so none is served (every request answers "unknown host"): ` +
          `add one with --backend-oci-http-vhost <host>, with '/oci create <name> vhost=<host>' in the SSH console, or in the file`,
      )
    }
    return { file, instances: configured }
  }
  const existing = configured.find((i) => i.name === BOOTSTRAP_INSTANCE)
  if (existing) {
    if (existing.store !== bootstrap.store || !existing.vhosts.includes(bootstrap.vhost)) {
      log.info(`oci instance ${BOOTSTRAP_INSTANCE} is configured in ${file}; --backend-oci-http-vhost/-store are not applied again`)
    }
    return { file, instances: configured }
  }
  const instances = [...configured, { name: BOOTSTRAP_INSTANCE, store: bootstrap.store, vhosts: [bootstrap.vhost] }]
  const problems = new Problems(`${file} + --backend-oci-http-vhost/-store`)
  validate(instances, problems)
  if (!problems.empty) throw new EverlockError('CONFIG_INVALID', `${problems.file}: conflicting instances`, { problems: problems.list })
  await writeOciConfig(file, instances)
  return { file, instances }
}
