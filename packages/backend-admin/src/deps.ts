import type { Auth } from '@everlock/auth-grants'
import type { TlsAdmin } from './commands/tls.js'
import type { InstanceAdmin } from './instances.js'

/** The part of auth-grants the console uses (an `Auth` from `createAuth` satisfies it). */
export type AdminAuth = Pick<
  Auth,
  | 'addUser' | 'setPassword' | 'changePassword' | 'deleteUser' | 'listUsers' | 'hasUser'
  | 'addGroup' | 'deleteGroup' | 'assign' | 'unassign' | 'listGroups'
  | 'grant' | 'revoke' | 'listGrants' | 'can'
  | 'addKey' | 'listKeys' | 'deleteKey'
  | 'createToken' | 'listTokens' | 'revokeToken'
>

/** A commit as `/store log` shows it. */
export interface AdminCommit {
  readonly id: string
  readonly author: string
  readonly message: string
  readonly time: string
}

/** The part of a store's resumable uploads `/store uploads` shows and cleans. */
export interface AdminUploads {
  list(): AsyncIterable<{ readonly id: string; readonly size: number; readonly startedAt: string; readonly updatedAt: string; readonly meta?: Readonly<Record<string, string>> }>
  orphans(): AsyncIterable<{ readonly name: string; readonly size: number; readonly modifiedAt: string }>
  status(id: string): Promise<{ readonly size: number } | undefined>
  cancel(id: string): Promise<void>
  sweep(opts?: { maxAgeMs?: number; graceMs?: number }): Promise<{ readonly uploads: number; readonly orphans: number; readonly truncated: number; readonly bytes: number }>
}

/** The part of a versioned-storage Store the console uses. */
export interface AdminStore {
  readonly uploads: AdminUploads
  log(opts?: { path?: string; limit?: number }): AsyncIterable<AdminCommit>
  verify(opts?: { rehash?: boolean }): Promise<{
    readonly ok: boolean
    readonly blobsChecked: number
    readonly entriesChecked: number
    readonly commitsChecked: number
    readonly problems: ReadonlyArray<{ readonly kind: string; readonly detail: string; readonly digest?: string; readonly path?: string }>
  }>
}

/** The part of versioned-storage's `Stores` the console uses. */
export interface AdminStores {
  list(): Promise<string[]>
  open(name: string): Promise<AdminStore>
}

/** One turn of a console conversation with the model. */
export interface ConsoleAiMessage {
  readonly role: 'system' | 'user' | 'assistant'
  readonly content: string
}

/** What `/ai info` shows (an `AiInfo` from @everlock/ai-runtime satisfies it). */
export interface ConsoleAiInfo {
  readonly model: string
  readonly mmproj?: string | undefined
  readonly engine: string
  readonly state: 'loading' | 'ready' | 'failed' | 'closed'
  readonly error?: { readonly code: string; readonly message: string; readonly file?: string | undefined } | undefined
  readonly queue: { readonly running: number; readonly interactive: number; readonly background: number }
  readonly tokensPerSecond: { readonly last: number | undefined; readonly average: number | undefined }
  readonly promptTokensPerSecond?: { readonly last: number | undefined; readonly average: number | undefined }
  readonly tokens?: { readonly prompt: number; readonly generated: number }
  readonly requests?: { readonly completed: number; readonly failed: number; readonly aborted: number }
}

/**
 * A language model answering plain-text lines (anything not starting with `/`). The conversation is the
 * console's (one per session, `/ai reset` clears it); the model only sees the messages it is handed.
 */
export interface ConsoleAi {
  /** The answer, streamed as it is generated; stops (rejecting or ending) soon after `signal` aborts. */
  prompt(messages: readonly ConsoleAiMessage[], options: { readonly signal: AbortSignal }): AsyncIterable<string>
  info(): ConsoleAiInfo
}

export interface AdminDeps {
  readonly auth: AdminAuth
  readonly stores: AdminStores
  readonly instances: { readonly oci?: InstanceAdmin; readonly image?: InstanceAdmin }
  readonly ai?: ConsoleAi
  /** HTTPS certificates (`/tls …`); absent: those commands answer `HTTPS not enabled`. */
  readonly tls?: TlsAdmin
}
