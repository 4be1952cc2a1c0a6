/** One named instance of an HTTP backend (an OCI registry, an image library): its store and vhosts. */
export interface InstanceInfo {
  readonly name: string
  readonly store: string
  readonly vhosts: string[]
}

/** Who made an administrative change; becomes the commit author. */
export interface Actor {
  readonly by: string
}

/**
 * The instance registry of one backend kind, implemented by the app: it persists to
 * `config/<kind>-http.toml` and applies changes live to the HTTP vhost table. Errors it throws should carry a
 * string `code` and a one-line `message` (the console shows the message); anything else shows as `internal error`.
 */
export interface InstanceAdmin {
  list(): Promise<InstanceInfo[]>
  create(name: string, opts: { store?: string; vhosts: string[] }, actor: Actor): Promise<InstanceInfo>
  set(name: string, change: { store?: string; vhost?: string }, actor: Actor): Promise<InstanceInfo>
  unset(name: string, change: { vhost: string }, actor: Actor): Promise<InstanceInfo>
  delete(name: string, actor: Actor): Promise<void>
}
