/** How a console command ended. */
export interface ConsoleStatus {
  readonly ok: boolean
  readonly quit?: boolean
}

/** One logged-in user's console (an `AdminSession` from @everlock/backend-admin satisfies it). */
export interface ConsoleSession {
  /**
   * Run one line; yields output chunks as they are produced (lines end in `\n`; a model's answer token by
   * token) and returns the status. `signal` aborts on Ctrl-C or when the client goes away.
   */
  runStream(line: string, options?: { readonly signal?: AbortSignal }): AsyncIterator<string, ConsoleStatus, undefined>
}

/** What the SSH server is handed instead of any command logic. */
export interface ConsoleInterpreter {
  session(identity: { readonly user: string }): ConsoleSession
}

/** The part of auth-grants the SSH server uses (an `Auth` satisfies it). */
export interface SshAuth {
  verifyPassword(user: string, password: string): Promise<{ readonly user: string } | undefined>
  verifyPublicKey(user: string, algo: string, blob: Uint8Array): Promise<{ readonly user: string } | undefined>
}

export type SshLog = (message: string, fields?: Record<string, unknown>) => void
