import type { KeyObject } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { certificateRequest } from './csr.js'
import { AcmeError, type AcmeProblem } from './errors.js'
import type { AcmeFetch, HttpReply } from './http.js'
import { keyAuthorization, signRequest, type AccountKey } from './jws.js'

interface Directory {
  newNonce: string
  newAccount: string
  newOrder: string
  meta?: { termsOfService?: string }
}

interface Order {
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid'
  authorizations: string[]
  finalize: string
  certificate?: string
  error?: AcmeProblem
}

interface Challenge {
  type: string
  url: string
  token: string
  status: 'pending' | 'processing' | 'valid' | 'invalid'
  error?: AcmeProblem
}

interface Authorization {
  identifier: { type: string; value: string }
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked'
  challenges: Challenge[]
}

/** Where HTTP-01 answers are published while a challenge runs (the frontend serves them). */
export interface Http01Responder {
  add(token: string, keyAuthorization: string): void
  remove(token: string): void
}

export interface AcmeClientOptions {
  /** The server's directory URL, e.g. Let's Encrypt's or a local pebble's `https://127.0.0.1:14000/dir`. */
  readonly directoryUrl: string
  readonly accountKey: AccountKey
  readonly fetch: AcmeFetch
  /** `mailto:` contacts for the account. */
  readonly contact?: readonly string[]
  /** How often pending objects are polled when the server sends no Retry-After (default 1000 ms). */
  readonly pollMs?: number
  /** How long one order may take from start to certificate (default 5 min). */
  readonly orderTimeoutMs?: number
}

export interface IssueRequest {
  /** The names of the certificate; the first is its subject. */
  readonly domains: readonly string[]
  /** The certificate's private key (ECDSA P-256 or RSA). */
  readonly key: KeyObject
  readonly http01: Http01Responder
  readonly signal?: AbortSignal
}

export interface AcmeClient {
  /** The account URL (kid), registering the account on first use (terms of service agreed). */
  account(): Promise<string>
  /** Orders, proves (HTTP-01), finalizes and downloads a certificate: the PEM chain, leaf first. */
  issue(request: IssueRequest): Promise<string>
}

const PROBLEM = 'application/problem+json'
const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce'

const header = (reply: HttpReply, name: string): string | undefined => {
  const v = reply.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** An RFC 8555 client: JWS-signed POSTs with nonce handling and badNonce retries, POST-as-GET reads, polling. */
export function createAcmeClient(options: AcmeClientOptions): AcmeClient {
  const { accountKey, fetch } = options
  const pollMs = options.pollMs ?? 1000
  let directory: Promise<Directory> | undefined
  let kid: Promise<string> | undefined
  let nonce: string | undefined

  function parseJson<T>(reply: HttpReply, what: string): T {
    try {
      return JSON.parse(reply.body.toString('utf8')) as T
    } catch (cause) {
      throw new AcmeError('ACME_UNREACHABLE', `${what}: the server's reply is not JSON (HTTP ${reply.status})`, { cause })
    }
  }

  function getDirectory(): Promise<Directory> {
    directory ??= (async () => {
      const reply = await fetch(options.directoryUrl, { method: 'GET' })
      if (reply.status !== 200) throw new AcmeError('ACME_UNREACHABLE', `ACME directory ${options.directoryUrl} answered HTTP ${reply.status}`)
      const dir = parseJson<Directory>(reply, 'directory')
      if (typeof dir.newNonce !== 'string' || typeof dir.newAccount !== 'string' || typeof dir.newOrder !== 'string') {
        throw new AcmeError('ACME_UNREACHABLE', `${options.directoryUrl} is not an ACME directory`)
      }
      return dir
    })()
    directory.catch(() => (directory = undefined))
    return directory
  }

  async function freshNonce(): Promise<string> {
    if (nonce) {
      const n = nonce
      nonce = undefined
      return n
    }
    const reply = await fetch((await getDirectory()).newNonce, { method: 'HEAD' })
    const n = header(reply, 'replay-nonce')
    if (!n) throw new AcmeError('ACME_UNREACHABLE', 'the ACME server gave no Replay-Nonce')
    return n
  }

  /** A signed POST; a badNonce problem is retried with the nonce it came with (up to 5 times). */
  async function post(url: string, payload: unknown, opts: { useJwk?: boolean; accept?: string } = {}): Promise<HttpReply> {
    for (let attempt = 1; ; attempt++) {
      const signedKid = opts.useJwk ? undefined : await (kid ?? account())
      const body = signRequest(accountKey, { url, nonce: await freshNonce(), ...(signedKid ? { kid: signedKid } : {}) }, payload)
      const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/jose+json', ...(opts.accept ? { accept: opts.accept } : {}) }, body })
      nonce = header(reply, 'replay-nonce') ?? nonce
      if (reply.status < 400) return reply
      const problem = (header(reply, 'content-type') ?? '').startsWith(PROBLEM) ? parseJson<AcmeProblem>(reply, url) : undefined
      if (problem?.type === BAD_NONCE && attempt < 5) continue
      throw new AcmeError('ACME_PROBLEM', `ACME ${new URL(url).pathname}: ${problem?.detail ?? `HTTP ${reply.status}`}${problem ? ` (${problem.type})` : ''}`, {
        ...(problem ? { problem } : {}),
      })
    }
  }

  function account(): Promise<string> {
    kid ??= (async () => {
      const dir = await getDirectory()
      const reply = await post(dir.newAccount, { termsOfServiceAgreed: true, ...(options.contact?.length ? { contact: [...options.contact] } : {}) }, { useJwk: true })
      const location = header(reply, 'location')
      if (!location) throw new AcmeError('ACME_UNREACHABLE', 'newAccount gave no account URL')
      return location
    })()
    kid.catch(() => (kid = undefined))
    return kid
  }

  /** Poll `url` (POST-as-GET) until `done` says so, honouring Retry-After, within the order's deadline. */
  async function poll<T>(url: string, done: (value: T) => boolean, deadline: number, signal?: AbortSignal): Promise<T> {
    for (;;) {
      const reply = await post(url, undefined)
      const value = parseJson<T>(reply, url)
      if (done(value)) return value
      if (Date.now() > deadline) throw new AcmeError('ACME_TIMEOUT', `ACME ${new URL(url).pathname} did not settle in time`)
      const retryAfter = Number(header(reply, 'retry-after'))
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : pollMs
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), undefined, signal ? { signal } : undefined)
    }
  }

  async function authorize(url: string, http01: Http01Responder, deadline: number, signal?: AbortSignal): Promise<void> {
    const authz = parseJson<Authorization>(await post(url, undefined), url)
    if (authz.status === 'valid') return
    if (authz.status !== 'pending') throw new AcmeError('ACME_ORDER_INVALID', `authorization for ${authz.identifier.value} is ${authz.status}`)
    const challenge = authz.challenges.find((c) => c.type === 'http-01')
    if (!challenge) throw new AcmeError('ACME_ORDER_INVALID', `the server offers no http-01 challenge for ${authz.identifier.value}`)
    http01.add(challenge.token, keyAuthorization(accountKey, challenge.token))
    try {
      await post(challenge.url, {})
      const settled = await poll<Authorization>(url, (a) => a.status !== 'pending', deadline, signal)
      if (settled.status !== 'valid') {
        const failed = settled.challenges.find((c) => c.type === 'http-01')
        throw new AcmeError('ACME_ORDER_INVALID', `http-01 for ${authz.identifier.value} failed: ${failed?.error?.detail ?? settled.status}`, failed?.error ? { problem: failed.error } : {})
      }
    } finally {
      http01.remove(challenge.token)
    }
  }

  return {
    account,
    async issue({ domains, key, http01, signal }) {
      if (domains.length === 0) throw new AcmeError('OPTIONS_INVALID', 'a certificate needs at least one domain')
      const deadline = Date.now() + (options.orderTimeoutMs ?? 300_000)
      const dir = await getDirectory()
      const created = await post(dir.newOrder, { identifiers: domains.map((value) => ({ type: 'dns', value })) })
      const orderUrl = header(created, 'location')
      if (!orderUrl) throw new AcmeError('ACME_UNREACHABLE', 'newOrder gave no order URL')
      let order = parseJson<Order>(created, 'newOrder')
      for (const url of order.authorizations) {
        signal?.throwIfAborted()
        await authorize(url, http01, deadline, signal)
      }
      order = await poll<Order>(orderUrl, (o) => o.status !== 'pending', deadline, signal)
      if (order.status === 'ready') {
        await post(order.finalize, { csr: certificateRequest(key, domains).toString('base64url') })
        order = await poll<Order>(orderUrl, (o) => o.status === 'valid' || o.status === 'invalid', deadline, signal)
      }
      if (order.status !== 'valid' || !order.certificate) {
        throw new AcmeError('ACME_ORDER_INVALID', `order for ${domains.join(', ')} is ${order.status}${order.error?.detail ? `: ${order.error.detail}` : ''}`)
      }
      const chain = await post(order.certificate, undefined, { accept: 'application/pem-certificate-chain' })
      return chain.body.toString('utf8')
    },
  }
}
