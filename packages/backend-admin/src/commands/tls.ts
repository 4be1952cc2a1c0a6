import { AdminError } from '../errors.js'
import { columns, printable } from '../format.js'
import type { Actor } from '../instances.js'
import type { Command, CommandContext } from '../table.js'

/** ACME's view of one vhost's certificate. */
export interface TlsAcmeStatus {
  /** `missing`, `valid`, `issuing` or `failed`. */
  readonly state: string
  readonly nextAttempt?: Date
  readonly failures: number
  readonly lastError?: string
}

/** One certificate the HTTPS listeners know, as `/tls list` shows it. */
export interface TlsEntry {
  /** `photos.example.org`, `*.example.org` or `(default)`. */
  readonly host: string
  /** The certificate file, or `acme`. */
  readonly source: string
  readonly issuer?: string
  readonly serial?: string
  readonly notAfter?: Date
  /** For ACME vhosts. */
  readonly acme?: TlsAcmeStatus
  /** A remark, e.g. that a file takes precedence over this ACME certificate. */
  readonly note?: string
}

/**
 * The HTTPS certificates of the app (files and ACME). `issue` gets an ACME certificate now for a vhost that
 * opted in (`renew: false` refuses while a valid one is served); errors carry a string `code`.
 */
export interface TlsAdmin {
  list(): Promise<TlsEntry[]>
  issue(vhost: string, opts: { readonly renew: boolean }, actor: Actor): Promise<TlsEntry>
}

/** What `/tls …` answers on a server without HTTPS (the commands are then not registered). */
export const HTTPS_NOT_ENABLED = 'HTTPS not enabled (start with --frontend-http-listen-https)'

function tls(ctx: CommandContext): TlsAdmin {
  const admin = ctx.deps.tls
  if (!admin) throw new AdminError('NOT_ENABLED', HTTPS_NOT_ENABLED)
  return admin
}

/** `CN=Pebble Intermediate CA 1a2b, O=…` → `Pebble Intermediate CA 1a2b`; anything else as it is. */
function shortIssuer(issuer: string | undefined): string {
  if (!issuer) return '-'
  return /(?:^|,\s*)CN=([^,]+)/.exec(issuer)?.[1] ?? issuer
}

const iso = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-')

function state(e: TlsEntry): string {
  if (!e.acme) return e.note ?? ''
  const parts = [e.acme.state]
  if (e.acme.nextAttempt) parts.push(`next ${iso(e.acme.nextAttempt)}`)
  if (e.acme.failures > 0) parts.push(`${e.acme.failures} failure(s)`)
  if (e.acme.lastError) parts.push(`last error: ${e.acme.lastError}`)
  if (e.note) parts.push(e.note)
  return parts.join('; ')
}

function row(e: TlsEntry): string[] {
  return [e.host, e.source, shortIssuer(e.issuer), iso(e.notAfter), state(e)].map(printable)
}

async function issue(ctx: CommandContext, vhost: string, renew: boolean): Promise<string> {
  const e = await tls(ctx).issue(vhost, { renew }, ctx.actor)
  return printable(`${e.host}: certificate ${renew ? 'renewed' : 'issued'} by ${shortIssuer(e.issuer)}, serial ${e.serial ?? '-'}, valid until ${iso(e.notAfter)}`)
}

/** `/tls list|issue|renew`: the HTTPS certificates per vhost. */
export const tlsCommands: Command[] = [
  {
    words: ['tls', 'list'], args: '', summary: 'HTTPS certificates: host, source, issuer, expiry, ACME state', open: true, min: 0, max: 0,
    async run(ctx) {
      const list = await tls(ctx).list()
      if (list.length === 0) return 'no certificates (add config/certs/<host>.pem + .key, or [acme] vhosts in config/tls.toml)'
      return columns([['HOST', 'SOURCE', 'ISSUER', 'NOT-AFTER', 'STATE'], ...list.map(row)])
    },
  },
  {
    words: ['tls', 'issue'], args: '<vhost>', summary: 'get the ACME certificate of a vhost now (one that has none)', min: 1, max: 1,
    run: (ctx, [vhost]) => issue(ctx, vhost!, false),
  },
  {
    words: ['tls', 'renew'], args: '<vhost>', summary: 'renew the ACME certificate of a vhost now', min: 1, max: 1,
    run: (ctx, [vhost]) => issue(ctx, vhost!, true),
  },
]
