import { createImageLibrary, type Describe, type LibraryJobs, type LibrarySessions, type SendFile } from '@everlock/backend-image'
import { renderJsonError } from '@everlock/frontend-http'
import { IMAGE_KIND } from './config/kinds.js'
import { createInstances, type Instances, type InstancesOptions, type MountContext, type Mounted } from './instances.js'
import type { Log } from './log.js'
import type { RedirectGets } from './storage-drivers.js'

export type ImageInstances = Instances

export interface ImageInstancesOptions extends Omit<InstancesOptions, 'kind' | 'mount'> {
  /** The durable queue derived work runs on, shared by every library (job kinds carry the store name). */
  readonly jobs: LibraryJobs
  /** Sends originals and derivatives from local files (zero-copy); without it they are streamed. */
  readonly sendFile?: SendFile
  /** Captions through the shared AI runtime, when one with a vision projector is configured. */
  readonly describe?: Describe
  /** Password login of the gallery for the instance on this access path (`http/image/<name>`). */
  readonly sessionsFor?: (accessPath: string) => LibrarySessions
  /** Per store: GETs of originals answer 307 to a presigned URL of the bucket (`redirect_gets` in storage.toml). */
  readonly redirectFor?: (store: string) => RedirectGets | undefined
}

/** The URL an image library advertises: `public_url`, else `https://<first vhost>` (seed 000). */
export const publicUrlOf = (config: { vhosts: readonly string[]; publicUrl?: string }): string => config.publicUrl ?? `https://${config.vhosts[0]}`

/** How one image library instance is served: the library over its store, checking its own needs, JSON refusals. */
export function mountImageLibrary(
  log: Log,
  options: Pick<ImageInstancesOptions, 'jobs' | 'sendFile' | 'describe' | 'redirectFor' | 'sessionsFor'>,
): (ctx: MountContext) => Mounted {
  return ({ config, store, authorize }) => {
    const redirectOriginals = options.redirectFor?.(store.name)
    const sessions = options.sessionsFor?.(`http/image/${config.name}`)
    const library = createImageLibrary({
      publicUrl: publicUrlOf(config),
      ...(sessions ? { sessions } : {}),
      ...(redirectOriginals ? { redirectOriginals } : {}),
      store,
      jobs: options.jobs,
      authorize,
      ...(options.sendFile ? { sendFile: options.sendFile } : {}),
      ...(options.describe ? { describe: options.describe } : {}),
      log: (message, error) => log.error(`image ${config.name}: ${message}`, { error: error instanceof Error ? error.message : error }),
    })
    return { handler: library, authorizesItself: true, renderError: renderJsonError, hsts: true, close: () => library.close() }
  }
}

/** The instance manager of the image libraries (`/image …`, `config/image-http.toml`). */
export function createImageInstances(options: ImageInstancesOptions): ImageInstances {
  const { jobs, sendFile, describe, redirectFor, sessionsFor, ...rest } = options
  return createInstances({
    ...rest,
    kind: IMAGE_KIND,
    mount: mountImageLibrary(options.log, { jobs, ...(sendFile ? { sendFile } : {}), ...(describe ? { describe } : {}), ...(redirectFor ? { redirectFor } : {}), ...(sessionsFor ? { sessionsFor } : {}) }),
  })
}
