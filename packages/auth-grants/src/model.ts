import type { PasswordHash } from './kdf.js'
import type { Role } from './types.js'

/**
 * The in-memory picture of the `everlock-system` tree. Every record is one small JSON file:
 *   users/<name>.json            UserRecord
 *   groups/<name>.json           GroupRecord
 *   grants/users/<name>.json     GrantRecord   (grants of user:<name>)
 *   grants/groups/<name>.json    GrantRecord   (grants of group:<name>)
 *   keys/<id>.json               KeyRecord
 *   tokens/<id>.json             TokenRecord   (sha256 of the secret only)
 * Memory changes only through `apply`, with exactly the files a commit wrote, so memory and store agree.
 */
export interface UserRecord {
  readonly name: string
  readonly createdAt: string
  readonly password: PasswordHash
}
export interface GroupRecord {
  readonly name: string
  readonly createdAt: string
  readonly members: readonly string[]
}
export interface GrantRecord {
  /** `user:<name>` or `group:<name>` */
  readonly subject: string
  /** access path → role */
  readonly grants: Readonly<Record<string, Role>>
}
export interface KeyRecord {
  readonly id: string
  readonly user: string
  readonly publicKey: string
  readonly fingerprint: string
  readonly createdAt: string
}
export interface TokenRecord {
  readonly id: string
  readonly user: string
  readonly label: string
  readonly createdAt: string
  readonly expiresAt?: string
  readonly hash: string
}

/** One file to write (`value`) or delete (`value` undefined). */
export interface FileChange {
  readonly path: string
  readonly value?: UserRecord | GroupRecord | GrantRecord | KeyRecord | TokenRecord
}

export const files = {
  user: (name: string) => `users/${name}.json`,
  group: (name: string) => `groups/${name}.json`,
  grants: (subject: string) => {
    const [kind, name] = subject.split(':') as [string, string]
    return `grants/${kind === 'group' ? 'groups' : 'users'}/${name}.json`
  },
  key: (id: string) => `keys/${id}.json`,
  token: (id: string) => `tokens/${id}.json`,
}

/** Top-level folders the model reads at load. */
export const FOLDERS = ['users/', 'groups/', 'grants/', 'keys/', 'tokens/'] as const

export class Model {
  readonly users = new Map<string, UserRecord>()
  readonly groups = new Map<string, GroupRecord>()
  readonly grants = new Map<string, GrantRecord>()
  readonly keys = new Map<string, KeyRecord>()
  readonly tokens = new Map<string, TokenRecord>()

  apply(change: FileChange): void {
    const { path, value } = change
    const map = this.mapFor(path)
    const key = this.keyFor(path)
    if (!map || key === undefined) return
    if (value === undefined) map.delete(key)
    else (map as Map<string, unknown>).set(key, value)
  }

  /** A copy whose maps can be changed without touching this model (records are immutable and shared). */
  copy(): Model {
    const m = new Model()
    for (const [from, to] of [[this.users, m.users], [this.groups, m.groups], [this.grants, m.grants], [this.keys, m.keys], [this.tokens, m.tokens]] as const) {
      for (const [k, v] of from as Map<string, unknown>) (to as Map<string, unknown>).set(k, v)
    }
    return m
  }

  clear(): void {
    for (const m of [this.users, this.groups, this.grants, this.keys, this.tokens]) m.clear()
  }

  /** Groups `user` belongs to, sorted. */
  groupsOf(user: string): string[] {
    return [...this.groups.values()].filter((g) => g.members.includes(user)).map((g) => g.name).sort()
  }

  private mapFor(path: string): Map<string, unknown> | undefined {
    if (path.startsWith('users/')) return this.users
    if (path.startsWith('groups/')) return this.groups
    if (path.startsWith('grants/')) return this.grants
    if (path.startsWith('keys/')) return this.keys
    if (path.startsWith('tokens/')) return this.tokens
    return undefined
  }

  /** Map key from the file path (so deletes need no value): name, subject or id. */
  private keyFor(path: string): string | undefined {
    const m = /^(users|groups|keys|tokens)\/([^/]+)\.json$/.exec(path)
    if (m) return m[2]
    const g = /^grants\/(users|groups)\/([^/]+)\.json$/.exec(path)
    if (g) return `${g[1] === 'groups' ? 'group' : 'user'}:${g[2]}`
    return undefined
  }
}
