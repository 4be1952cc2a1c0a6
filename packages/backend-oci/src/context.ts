import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authorize, RegistryStore, Role, SendFile } from './types'
import { OciError } from './errors'
import type { ManifestCache } from './manifest-cache'
import type { UploadSessions } from './upload-sessions'

/** Everything a handler needs for one request. */
export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly store: RegistryStore
  readonly maxManifestBytes: number
  readonly manifests: ManifestCache
  readonly sessions: UploadSessions
  readonly sendFile?: SendFile | undefined
  readonly redirectBlobGets?: { readonly expiresInSeconds: number } | undefined
  readonly pingChallenge?: string | undefined
  /** Require a role on a path relative to the instance; returns the user, or throws UNAUTHORIZED/DENIED. */
  require(path: string, role: Role): Promise<string>
  /** Like require, but answers false instead of throwing. */
  allowed(path: string, role: Role): Promise<boolean>
}

export function makeRequire(authorize: Authorize | undefined, req: IncomingMessage): Pick<RequestContext, 'require' | 'allowed'> {
  return {
    async require(path, role) {
      if (!authorize) return 'anonymous'
      const result = await authorize(req, { path, role })
      if (result.ok) return result.identity.user
      if (result.status === 401) {
        throw new OciError(401, 'UNAUTHORIZED', 'authentication required', undefined, result.challenge ? { 'WWW-Authenticate': result.challenge } : {})
      }
      throw new OciError(403, 'DENIED', 'requested access to the resource is denied')
    },
    async allowed(path, role) {
      if (!authorize) return true
      return (await authorize(req, { path, role })).ok
    },
  }
}
