export type Role = 'reader' | 'writer' | 'owner'

/** Who a request or session acts as. `anon` stands for unauthenticated callers. */
export interface Identity {
  readonly user: string
  /** How the identity was established. */
  readonly via: 'password' | 'token' | 'session' | 'publickey' | 'anon'
}

export interface UserInfo {
  readonly name: string
  readonly builtin: boolean
  readonly createdAt: string
  readonly groups: readonly string[]
}

export interface Grant {
  /** `user:<name>` or `group:<name>`. */
  readonly subject: string
  /** e.g. `http/oci/default` or `*\/*\/*` or `http/oci/default/team-a`. */
  readonly path: string
  readonly role: Role
}

export interface TokenInfo {
  readonly id: string
  readonly user: string
  readonly label: string
  readonly createdAt: string
  readonly expiresAt?: string
}

export interface SshKeyInfo {
  readonly id: string
  readonly user: string
  /** `ssh-ed25519 AAAA… comment` as given. */
  readonly publicKey: string
  /** `SHA256:…` like ssh-keygen -lf. */
  readonly fingerprint: string
}

/** Who is making an administrative change; becomes the commit author. */
export interface Actor {
  readonly by: string
}

/** What `rescueAdmin` did (nothing at all when every field is false). */
export interface AdminRescue {
  readonly created: boolean
  readonly passwordChanged: boolean
  readonly ownerRestored: boolean
}

/** Events so that caches (e.g. the HTTP credential cache) can drop entries. */
export type AuthEvent =
  | { type: 'password-changed' | 'user-deleted'; user: string }
  | { type: 'token-revoked'; user: string; tokenId: string }
  | { type: 'grants-changed' }

export interface Auth {
  // users
  addUser(name: string, password: string, actor: Actor): Promise<void>
  setPassword(name: string, password: string, actor: Actor): Promise<void>
  deleteUser(name: string, actor: Actor): Promise<void>
  listUsers(): Promise<UserInfo[]>
  hasUser(name: string): Promise<boolean>
  /** Constant-time; same cost for unknown users; `anon` never verifies. */
  verifyPassword(name: string, password: string): Promise<Identity | undefined>
  /** Creates the admin with Owner on `*\/*\/*` if no such user exists; otherwise leaves it alone. */
  bootstrapAdmin(name: string, password: string): Promise<{ created: boolean }>
  /**
   * The operator's rescue: create `name` with Owner on `*\/*\/*`, or for an existing user set `password`
   * and restore that grant; without a password an existing user's grant is restored only when no
   * administrator is left. One commit by `actor` (none if nothing changed).
   */
  rescueAdmin(name: string, password: string | undefined, actor: Actor): Promise<AdminRescue>
  /** Users holding Owner on `*\/*\/*` (directly, through a group, or through anon). */
  listAdmins(): Promise<string[]>
  /** Self-service: change `name`'s password after checking the current one (PASSWORD_WRONG otherwise). */
  changePassword(name: string, current: string, next: string, actor: Actor): Promise<void>

  // groups
  addGroup(name: string, actor: Actor): Promise<void>
  deleteGroup(name: string, actor: Actor): Promise<void>
  assign(user: string, group: string, actor: Actor): Promise<void>
  unassign(user: string, group: string, actor: Actor): Promise<void>
  listGroups(): Promise<Array<{ name: string; members: string[] }>>

  // grants; subject is `user:<name>`/`group:<name>`, or a bare user name
  grant(subject: string, path: string, role: Role, actor: Actor): Promise<void>
  revoke(subject: string, path: string, actor: Actor): Promise<void>
  listGrants(subject?: string): Promise<Grant[]>
  /** Does identity (directly or through its groups) hold at least `role` on `path`? */
  can(identity: Identity | string, path: string, role: Role): Promise<boolean>
  /** The highest role held on `path` (own, groups', and anon's grants), or undefined. */
  effectiveRole(identity: Identity | string, path: string): Promise<Role | undefined>

  // SSH public keys
  addKey(user: string, publicKey: string, actor: Actor): Promise<SshKeyInfo>
  listKeys(user?: string): Promise<SshKeyInfo[]>
  deleteKey(user: string, idOrFingerprint: string, actor: Actor): Promise<void>
  /**
   * SSH public-key login: does `user` own the key `algo` + `blob` (SSH wire format, as ssh2 hands it
   * over)? The SSH server must still check the signature.
   */
  verifyPublicKey(user: string, algo: string, blob: Uint8Array): Promise<Identity | undefined>

  // API tokens: secret returned once, stored hashed
  createToken(user: string, opts: { label?: string; expiresAt?: Date }, actor: Actor): Promise<{ info: TokenInfo; secret: string }>
  listTokens(user?: string): Promise<TokenInfo[]>
  revokeToken(id: string, actor: Actor): Promise<void>
  verifyToken(secret: string): Promise<Identity | undefined>

  // login sessions for web apps
  createSession(user: string, opts?: { ttlMs?: number }): Promise<{ id: string; secret: string; expiresAt: string }>
  verifySession(secret: string): Promise<Identity | undefined>
  endSession(secret: string): Promise<void>
  /** Remove expired sessions; returns how many were removed. */
  sweepSessions(): Promise<number>

  onChange(listener: (event: AuthEvent) => void): () => void
}
