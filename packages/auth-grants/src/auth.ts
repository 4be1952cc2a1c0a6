import * as apiTokens from './api-tokens.js'
import { adminsOf } from './admins.js'
import { bootstrapAdmin, rescueAdmin } from './bootstrap.js'
import { Context } from './context.js'
import * as grants from './grants.js'
import * as groups from './groups.js'
import { kdfParams, type KdfParams } from './kdf.js'
import * as keys from './keys.js'
import { Model } from './model.js'
import { Persistence, type SystemStore } from './persist.js'
import * as sessions from './sessions.js'
import * as users from './users.js'
import type { Auth } from './types.js'

export interface AuthOptions {
  /** The store that holds users and grants; the app opens `everlock-system` for it. */
  readonly store: SystemStore
  /** scrypt cost for new password hashes (default N=2^15, r=8, p=1). Tests may lower N. */
  readonly kdf?: Partial<KdfParams>
  /** Default login session lifetime (12 hours). */
  readonly sessionTtlMs?: number
  /** Clock in ms since the epoch, for expiry (default Date.now). */
  readonly now?: () => number
  /**
   * Reads (can, verify*, list*) check the store's HEAD for commits made by another Auth on the same
   * store at most this often; default 1000 ms, 0 = on every read. Changes always check first.
   */
  readonly refreshMs?: number
}

/** Open auth-grants over a store: loads users, groups, grants, keys and tokens into memory. */
export async function createAuth(options: AuthOptions): Promise<Auth> {
  const model = new Model()
  const persist = new Persistence(options.store, model)
  await persist.load()
  const ctx = new Context(persist, model, kdfParams(options.kdf), options.now ?? Date.now, options.refreshMs ?? 1000)
  const ttl = options.sessionTtlMs ?? sessions.DEFAULT_SESSION_TTL_MS
  const read = async <T>(fn: () => T): Promise<T> => {
    await ctx.fresh()
    return fn()
  }

  return {
    addUser: (name, password, actor) => users.addUser(ctx, name, password, actor),
    async setPassword(name, password, actor) {
      await users.setPassword(ctx, name, password, actor)
      await sessions.endSessionsOf(ctx, name.toLowerCase())
    },
    async deleteUser(name, actor) {
      await users.deleteUser(ctx, name, actor)
      await sessions.endSessionsOf(ctx, name.toLowerCase())
    },
    listUsers: () => read(() => users.listUsers(ctx)),
    hasUser: (name) => read(() => users.hasUser(ctx, name)),
    verifyPassword: async (name, password) => {
      await ctx.fresh()
      return users.verifyPassword(ctx, name, password)
    },
    bootstrapAdmin: (name, password) => bootstrapAdmin(ctx, name, password),
    rescueAdmin: (name, password, actor) => rescueAdmin(ctx, name, password, actor),
    listAdmins: () => read(() => adminsOf(model).sort()),
    async changePassword(name, current, next, actor) {
      await users.setPassword(ctx, name, next, actor, current)
      await sessions.endSessionsOf(ctx, name.toLowerCase())
    },

    addGroup: (name, actor) => groups.addGroup(ctx, name, actor),
    deleteGroup: (name, actor) => groups.deleteGroup(ctx, name, actor),
    assign: (user, group, actor) => groups.assign(ctx, user, group, actor),
    unassign: (user, group, actor) => groups.unassign(ctx, user, group, actor),
    listGroups: () => read(() => groups.listGroups(ctx)),

    grant: (subject, path, role, actor) => grants.grant(ctx, subject, path, role, actor),
    revoke: (subject, path, actor) => grants.revoke(ctx, subject, path, actor),
    listGrants: (subject) => read(() => grants.listGrants(ctx, subject)),
    can: (identity, path, role) => read(() => grants.can(ctx, identity, path, role)),
    effectiveRole: (identity, path) =>
      read(() => grants.effectiveRole(ctx, (typeof identity === 'string' ? identity : identity.user).toLowerCase(), path)),

    addKey: (user, publicKey, actor) => keys.addKey(ctx, user, publicKey, actor),
    listKeys: (user) => read(() => keys.listKeys(ctx, user)),
    deleteKey: (user, id, actor) => keys.deleteKey(ctx, user, id, actor),
    verifyPublicKey: (user, algo, blob) => read(() => keys.verifyPublicKey(ctx, user, algo, blob)),

    createToken: (user, opts, actor) => apiTokens.createToken(ctx, user, opts, actor),
    listTokens: (user) => read(() => apiTokens.listTokens(ctx, user)),
    revokeToken: (id, actor) => apiTokens.revokeToken(ctx, id, actor),
    verifyToken: (secret) => read(() => apiTokens.verifyToken(ctx, secret)),

    createSession: (user, opts) => sessions.createSession(ctx, user, opts?.ttlMs ?? ttl),
    verifySession: (secret) => sessions.verifySession(ctx, secret),
    endSession: (secret) => sessions.endSession(ctx, secret),
    sweepSessions: () => sessions.endSessionsOf(ctx, undefined),

    onChange: (listener) => ctx.on(listener),
  }
}
