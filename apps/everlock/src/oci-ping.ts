import type { IncomingMessage, ServerResponse } from 'node:http'
import { basicChallenge, DEFAULT_REALM, renderOciError } from '@everlock/frontend-http'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * The registry ping (`GET /v2/`) without credentials always answers 401 with the Basic challenge, even when
 * `anon` may read: podman, skopeo and docker send stored credentials only after the ping has challenged them,
 * so a 200 here would turn a logged-in user into `anon` (and their pushes into 401s) once pulls are public.
 * Anonymous clients carry on without credentials after the challenge, as with any registry.
 */
export function challengeAnonymousPing(registry: Listener, realm = DEFAULT_REALM): Listener {
  const challenge = basicChallenge(realm)
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0]
    if ((path === '/v2/' || path === '/v2') && (req.method === 'GET' || req.method === 'HEAD') && !req.headers.authorization) {
      res.setHeader('Docker-Distribution-API-Version', 'registry/2.0')
      renderOciError(res, 401, challenge)
      return
    }
    registry(req, res)
  }
}
