import { join } from 'node:path'
import { createAuth, type Auth } from '@everlock/auth-grants'
import { createAdminInterpreter } from '@everlock/backend-admin'
import { createHttpFrontend, type HttpFrontend } from '@everlock/frontend-http'
import { createSshServer, type SshServer } from '@everlock/frontend-ssh'
import { openStores, type Stores } from '@everlock/versioned-storage'
import { instancesToServe } from './bootstrap-instances.js'
import { loadInstancesConfig } from './config/instances-config.js'
import { OCI_KIND } from './config/kinds.js'
import { EverlockError } from './errors.js'
import { consoleLog, type Log } from './log.js'
import { createOciInstances, type OciInstances } from './oci-instances.js'
import { createFileBodySender } from '@everlock/sendfile'
import { SYSTEM_STORE } from './names.js'
import { prepareTls, type RunningTls } from './tls/serve-tls.js'

export interface ServeOptions {
  /** Stores and the SSH host key. */
  readonly dataDir: string
  /** `oci-http.toml` lives here. */
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
  /** Serve OCI registries (needs `http`); `bootstrap` creates the instance `default` if it is not configured. */
  readonly oci?: { readonly bootstrap?: { readonly vhost: string; readonly store: string } }
  /** Created with Owner on `*\/*\/*` if no such user exists; an existing user is left alone. */
  readonly admin?: { readonly user: string; readonly password: string }
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
  /** Re-read `config/oci-http.toml` (hand edits) and apply it live; a bad file changes nothing (CONFIG_INVALID). */
  reload(): Promise<void>
  /** Stop accepting, finish in-flight requests, close SSH sessions and the stores. Idempotent. */
  close(): Promise<void>
}

/** The host part of a listen address (`[::1]:8080` → `::1`). */
const hostOf = (address: string): string => address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '')
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

/** `everlock serve`: stores, auth, registries, HTTP and SSH frontends, composed from options. */
export async function serve(options: ServeOptions): Promise<Running> {
  const log = options.log ?? consoleLog()
  if (options.oci && !options.http) throw new EverlockError('USAGE', 'the OCI backend needs the HTTP frontend')
  // A bad config file fails before anything is opened.
  const oci = options.oci ? await instancesToServe(options.configDir, OCI_KIND, options.oci.bootstrap, log) : undefined

  const tlsPrep = options.http?.listenHttps !== undefined ? await prepareTls(options.configDir, log) : undefined

  const stores = await openStores({ dir: options.dataDir })
  let tls: RunningTls | undefined
  let frontend: HttpFrontend | undefined
  let instances: OciInstances | undefined
  let ssh: SshServer | undefined
  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      tls?.close()
      await Promise.allSettled([frontend?.close(), ssh?.close()])
      await instances?.close()
      await stores.close()
    })())

  try {
    const auth = await createAuth({ store: await stores.open(SYSTEM_STORE), ...(options.kdf ? { kdf: options.kdf } : {}) })
    if (options.admin) {
      const { created } = await auth.bootstrapAdmin(options.admin.user, options.admin.password)
      log.info(created ? `admin user ${options.admin.user} created with owner on */*/*` : `admin user ${options.admin.user} exists; left as it is`)
    }
    if (options.ssh && !(await anyAdmin(auth))) {
      throw new EverlockError('ADMIN_REQUIRED', 'no user can administer this data directory: start once with --admin-user <name> --admin-password <password> to create one, or leave out --backend-admin-ssh')
    }

    let httpPort: number | undefined
    let metricsPort: number | undefined
    let httpsPort: number | undefined
    if (options.http) {
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
        instances = createOciInstances({ stores, frontend, configFile: oci.file, log, sendFile })
        await instances.start(oci.instances)
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
        instances: instances ? { oci: instances } : {},
        ...(tls ? { tls: tls.admin } : {}),
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
      if (!oci || !instances) return log.info('reload: no OCI registries are served (--backend-oci-http is off)')
      await instances.reload(await loadInstancesConfig(oci.file, OCI_KIND))
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
