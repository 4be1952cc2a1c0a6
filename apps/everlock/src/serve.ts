import { join } from 'node:path'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createAdminInterpreter } from '@everlock/backend-admin'
import { createHttpFrontend, createWebSessions, type HttpFrontend } from '@everlock/frontend-http'
import { createSshServer, type SshServer } from '@everlock/frontend-ssh'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { openJobQueue, type JobQueue } from '@everlock/jobs'
import { instancesToServe, validateAcrossKinds, type Bootstrap } from './bootstrap-instances.js'
import { loadInstancesConfig } from './config/instances-config.js'
import { IMAGE_KIND, OCI_KIND } from './config/kinds.js'
import { createImageInstances, type ImageInstances } from './image-instances.js'
import type { Instances } from './instances.js'
import { loadStorageConfig } from './config/storage-config.js'
import { blobDrivers } from './storage-drivers.js'
import { EverlockError } from './errors.js'
import { consoleLog, type Log } from './log.js'
import { createOciInstances, type OciInstances } from './oci-instances.js'
import { ownerOnlyDataDir } from './data-dir.js'
import { createFileBodySender } from '@everlock/sendfile'
import { SYSTEM_STORE } from './names.js'
import { startUploadSweeper, UPLOAD_TTL_MS, type UploadSweeper } from './upload-sweeper.js'
import { prepareTls, type RunningTls } from './tls/serve-tls.js'
import type { AiRuntime } from '@everlock/ai-runtime'
import { consoleAi, startAi, type AiOptions } from './ai.js'
import { describeWith } from './captions.js'

export interface ServeOptions {
  /** Stores and the SSH host key. */
  readonly dataDir: string
  /** `oci-http.toml` and `storage.toml` live here. */
  readonly configDir: string
  /** Prometheus listener of the HTTP frontend; '' disables it. */
  readonly metricsListen: string
  /**
   * The HTTP frontend, when enabled: plain HTTP on `listen`, HTTPS on `listenHttps` (certificates from `config/certs/` and
   * `config/tls.toml`), either or both; `loginThrottleMs` is the delay after a first failed login (default 100, doubling per failure).
   */
  readonly http?: { readonly listen?: string; readonly loginThrottleMs?: number; readonly zeroCopy?: boolean; readonly listenHttps?: string }
  /** The SSH admin console, when enabled. */
  readonly ssh?: { readonly listen: string }
  /** AI in the console (needs `ssh`), and captions for the image libraries when it has a projector. */
  readonly ai?: AiOptions
  /** Serve OCI registries (needs `http`); `bootstrap` creates the instance `default` if it is not configured. */
  readonly oci?: { readonly bootstrap?: { readonly vhost: string; readonly store: string }; readonly maxUploadsPerUser?: number }
  /** Serve image libraries (needs `http`); `bootstrap` creates the instance `default` if it is not configured. */
  readonly image?: { readonly bootstrap?: Bootstrap }
  /**
   * Created with Owner on `*\/*\/*` if no such user exists. An existing user given a password gets that
   * password and its Owner on `*\/*\/*` back (the rescue, committed by `everlock-serve`); without a password
   * its grant is restored only when no administrator is left.
   */
  readonly admin?: { readonly user: string; readonly password?: string }
  readonly log?: Log
  /** scrypt cost for new password hashes (tests lower it). */
  readonly kdf?: { readonly N?: number }
}

export interface Running {
  readonly httpPort?: number
  readonly httpsPort?: number
  readonly metricsPort?: number
  readonly sshPort?: number
  readonly sshFingerprint?: string
  readonly auth: Auth
  readonly oci?: OciInstances
  readonly image?: ImageInstances
  /** The one model of this process (loading in the background), when `ai` is on. */
  readonly ai?: AiRuntime
  /** Re-read `config/oci-http.toml` and `config/image-http.toml` (hand edits) and apply them live; a bad file changes nothing (CONFIG_INVALID). */
  reload(): Promise<void>
  /** Stop accepting, finish in-flight requests, close SSH sessions and the stores. Idempotent. */
  close(): Promise<void>
}

/** `--admin-user`: create, or rescue an existing user; logged without the password. */
async function rescueAdmin(auth: Auth, admin: NonNullable<ServeOptions['admin']>, log: Log): Promise<void> {
  const done = await auth.rescueAdmin(admin.user, admin.password, { by: 'everlock-serve' })
  const what = done.created
    ? 'created with owner on */*/*'
    : done.passwordChanged || done.ownerRestored
      ? `rescued: ${[done.passwordChanged && 'password set', done.ownerRestored && 'owner on */*/* restored'].filter(Boolean).join(', ')}`
      : 'exists; unchanged'
  const message = `admin user ${admin.user.toLowerCase()} ${what}`
  if (done.passwordChanged || done.ownerRestored) log.warn(message)
  else log.info(message)
}

/** The host part of a listen address (`[::1]:8080` → `::1`). */
const hostOf = (address: string): string => address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '')
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

/** `everlock serve`: stores, auth, registries, HTTP and SSH frontends, composed from options. */
export async function serve(options: ServeOptions): Promise<Running> {
  const log = options.log ?? consoleLog()
  if (options.oci && !options.http) throw new EverlockError('USAGE', 'the OCI backend needs the HTTP frontend')
  if (options.image && !options.http) throw new EverlockError('USAGE', 'the image backend needs the HTTP frontend')
  if (options.ai && !options.ssh) throw new EverlockError('USAGE', 'the AI backend needs the SSH admin console')
  // A bad config file fails before anything is opened.
  const oci = options.oci ? await instancesToServe(options.configDir, OCI_KIND, options.oci.bootstrap, log) : undefined
  const image = options.image ? await instancesToServe(options.configDir, IMAGE_KIND, options.image.bootstrap, log) : undefined
  validateAcrossKinds([oci, image].filter((set) => set !== undefined))

  const tlsPrep = options.http?.listenHttps !== undefined ? await prepareTls(options.configDir, log) : undefined

  const drivers = await blobDrivers(await loadStorageConfig(join(options.configDir, 'storage.toml')), log)
  await ownerOnlyDataDir(options.dataDir, log)
  const stores = await openStores({ dir: options.dataDir, uploadTtlMs: UPLOAD_TTL_MS, ...(drivers ? { blobDriver: drivers.driverFor } : {}) })
  const sweeper: UploadSweeper = startUploadSweeper({ stores, log })
  let tls: RunningTls | undefined
  let frontend: HttpFrontend | undefined
  let instances: OciInstances | undefined
  let images: ImageInstances | undefined
  let jobs: JobQueue | undefined
  let ssh: SshServer | undefined
  let ai: AiRuntime | undefined
  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      tls?.close()
      await Promise.allSettled([frontend?.close(), ssh?.close()])
      await Promise.allSettled([instances?.close(), images?.close()])
      await jobs?.close()
      await ai?.close()
      await sweeper.close()
      await stores.close()
      drivers?.close()
    })())

  try {
    const auth = await createAuth({ store: await stores.open(SYSTEM_STORE), ...(options.kdf ? { kdf: options.kdf } : {}) })
    if (options.admin) await rescueAdmin(auth, options.admin, log)
    if (options.ssh && !(await anyAdmin(auth))) {
      throw new EverlockError('ADMIN_REQUIRED', 'no user can administer this data directory: start once with --admin-user <name> --admin-password <password> to create one, or leave out --backend-admin-ssh')
    }

    // One model for the console and the captions, loading in the background: nothing waits for it.
    if (options.ai) ai = startAi(options.ai, log)
    const describe = ai && options.ai?.mmprojPath !== undefined ? describeWith(ai) : undefined

    let httpPort: number | undefined
    let metricsPort: number | undefined
    let httpsPort: number | undefined
    if (options.http) {
      const redirects = drivers ? { redirectFor: drivers.redirectFor } : {}
      const sendFile = createFileBodySender({ zeroCopy: options.http.zeroCopy !== false })
      frontend = createHttpFrontend({
        auth,
        metrics: { listen: options.metricsListen, outOfBandBytes: sendFile.sentOutOfBand },
        log,
        ...loginThrottle(options.http.loginThrottleMs),
        ...(tlsPrep ? { tls: tlsPrep.certificates, plainHttp: tlsPrep.plainHttp } : {}),
      })
      if (oci) {
        log.info(sendFile.zeroCopy ? 'blob bodies are sent with sendfile(2)' : `blob bodies are streamed: ${sendFile.reason}`)
        instances = createOciInstances({ stores, frontend, configFile: oci.file, log, sendFile, ...redirects, ...(options.oci?.maxUploadsPerUser !== undefined ? { maxUploadsPerUser: options.oci.maxUploadsPerUser } : {}) })
        await instances.start(oci.instances)
      }
      if (image) {
        jobs = await openJobQueue({ dir: join(options.dataDir, 'jobs'), onError: (err) => log.error('jobs', { error: err instanceof Error ? err.message : String(err) }) })
        const peers = (): Instances[] => [instances, images].filter((m) => m !== undefined)
        images = createImageInstances({ stores, frontend, configFile: image.file, log, jobs, sendFile, peers, ...redirects, ...(describe ? { describe } : {}),
          sessionsFor: (accessPath) => createWebSessions({ auth, frontend: frontend!, accessPath }),
        })
        await images.start(image.instances)
        // Handlers are registered by the libraries as they mount; jobs left from before a restart run now.
        jobs.start()
      }
      if (options.http.listenHttps !== undefined) {
        const bound = await frontend.listenHttps(options.http.listenHttps)
        httpsPort = bound.port
        metricsPort = bound.metricsPort
        log.info(`https listening on ${hostPort(hostOf(options.http.listenHttps), httpsPort)}`)
      }
      if (options.http.listen !== undefined) {
        const bound = await frontend.listen(options.http.listen)
        httpPort = bound.port
        metricsPort = bound.metricsPort
        log.info(`http listening on ${hostPort(hostOf(options.http.listen), httpPort)}`)
      }
      if (tlsPrep && httpsPort !== undefined) {
        tls = await tlsPrep.start({ systemStore: await stores.open(SYSTEM_STORE), httpsPort, plainHttp: httpPort !== undefined })
      }
      if (metricsPort !== undefined) {
        const mHost = options.metricsListen.slice(0, options.metricsListen.lastIndexOf(':')).replace(/^\[|\]$/g, '')
        log.info(`metrics listening on ${hostPort(mHost, metricsPort)}`)
      }
    }

    let sshPort: number | undefined
    if (options.ssh) {
      const interpreter = createAdminInterpreter({
        auth,
        stores,
        instances: { ...(instances ? { oci: instances } : {}), ...(images ? { image: images } : {}) },
        ...(tls ? { tls: tls.admin } : {}),
        ...(ai ? { ai: consoleAi(ai, options.ai?.maxTokens) } : {}),
        log: (message, err) => log.error(message, { error: err instanceof Error ? err.message : String(err) }),
      })
      ssh = await createSshServer({
        hostKeyPath: join(options.dataDir, 'ssh_host_ed25519_key'),
        auth,
        interpreter,
        log: (message, fields) => log.info(message, fields),
      })
      const bound = await ssh.listen(options.ssh.listen)
      sshPort = bound.port
      log.info(`ssh listening on ${hostPort(bound.host, sshPort)}`, { fingerprint: ssh.fingerprint })
    }

    const reload = async (): Promise<void> => {
      await tls?.reload()
      if (!instances && !images) return log.info('reload: no registries or image libraries are served')
      // Both files are read and checked (also against each other) before either is applied.
      const nextOci = oci && instances ? { ...oci, instances: await loadInstancesConfig(oci.file, OCI_KIND) } : undefined
      const nextImage = image && images ? { ...image, instances: await loadInstancesConfig(image.file, IMAGE_KIND) } : undefined
      validateAcrossKinds([nextOci, nextImage].filter((set) => set !== undefined))
      if (nextOci && instances) await instances.reload(nextOci.instances)
      if (nextImage && images) await images.reload(nextImage.instances)
    }

    return {
      auth,
      close,
      reload,
      ...(httpPort !== undefined ? { httpPort } : {}),
      ...(httpsPort !== undefined ? { httpsPort } : {}),
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(sshPort !== undefined ? { sshPort } : {}),
      ...(ssh ? { sshFingerprint: ssh.fingerprint } : {}),
      ...(instances ? { oci: instances } : {}),
      ...(images ? { image: images } : {}),
      ...(ai ? { ai } : {}),
    }
  } catch (err) {
    await close().catch(() => undefined)
    throw err
  }
}

/** The frontend's throttle options for a base delay: doubling per failure up to 4 s (or the base, if larger). */
function loginThrottle(baseMs: number | undefined): { throttle?: { baseDelayMs: number; maxDelayMs: number } } {
  return baseMs === undefined ? {} : { throttle: { baseDelayMs: baseMs, maxDelayMs: Math.max(baseMs, 4000) } }
}

/** Does any user hold Owner on everything (and so can run the console's changing commands)? */
async function anyAdmin(auth: Auth): Promise<boolean> {
  for (const user of await auth.listUsers()) {
    if (!user.builtin && (await auth.can(user.name, '*/*/*', 'owner'))) return true
  }
  return false
}
