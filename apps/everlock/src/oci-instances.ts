import { createOciRegistry, type SendFile } from '@everlock/backend-oci'
import { basicChallenge, DEFAULT_REALM, renderOciError } from '@everlock/frontend-http'
import { OCI_KIND } from './config/kinds.js'
import { createInstances, type Instances, type InstancesOptions, type MountContext, type Mounted } from './instances.js'
import type { Log } from './log.js'
import type { RedirectGets } from './storage-drivers.js'

export type OciInstances = Instances

export interface OciInstancesOptions extends Omit<InstancesOptions, 'kind' | 'mount'> {
  /** Sends blob bodies from local files (zero-copy); without it they are streamed. */
  readonly sendFile?: SendFile
  /** Open upload sessions per user in each registry (the registry's default when absent). */
  readonly maxUploadsPerUser?: number
  /** Per store: blob GETs answer 307 to a presigned URL of the bucket (`redirect_gets` in storage.toml). */
  readonly redirectFor?: (store: string) => RedirectGets | undefined
}

/** How one OCI registry instance is served: a registry over its store that checks its own, finer needs. */
export function mountOciRegistry(log: Log, options: Pick<OciInstancesOptions, 'sendFile' | 'maxUploadsPerUser' | 'redirectFor'> = {}): (ctx: MountContext) => Mounted {
  const { sendFile, maxUploadsPerUser } = options
  return ({ config, store, authorize }) => {
    const redirectBlobGets = options.redirectFor?.(store.name)
    const registry = createOciRegistry({
      ...(redirectBlobGets ? { redirectBlobGets } : {}),
      store,
      authorize,
      ...(sendFile ? { sendFile } : {}),
      ...(maxUploadsPerUser !== undefined ? { maxUploadsPerUser } : {}),
      pingChallenge: basicChallenge(DEFAULT_REALM),
      log: (message, error) => log.error(`oci ${config.name}: ${message}`, { error: error instanceof Error ? error.message : error }),
    })
    return { handler: registry, authorizesItself: true, renderError: renderOciError, close: () => registry.close() }
  }
}

/** The instance manager of the OCI registries (`/oci …`, `config/oci-http.toml`). */
export function createOciInstances(options: OciInstancesOptions): OciInstances {
  const { sendFile, maxUploadsPerUser, redirectFor, ...rest } = options
  return createInstances({
    ...rest,
    kind: OCI_KIND,
    mount: mountOciRegistry(options.log, { ...(sendFile ? { sendFile } : {}), ...(maxUploadsPerUser !== undefined ? { maxUploadsPerUser } : {}), ...(redirectFor ? { redirectFor } : {}) }),
  })
}
