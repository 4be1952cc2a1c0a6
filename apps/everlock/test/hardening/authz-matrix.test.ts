// The authorization matrix: every principal × every endpoint and method × two registries in one process.
// Allowed → the endpoint's success status; refused → 401 + WWW-Authenticate (no or bad credentials) or
// 403 (authenticated, not enough role), both with the spec's error JSON, and nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCodes } from './helpers/http.js'
import { ENDPOINTS, type Need, type Role } from './helpers/matrix-endpoints.js'
import { basic, makeImage, pushImage, type Target, type TestImage } from './helpers/oci.js'
import { Everlock, skipReason } from './helpers/serve.js'
import { createToken, revokeToken } from './helpers/tokens.js'

const RANK: Record<Role, number> = { reader: 1, writer: 2, owner: 3 }
const INSTANCES = { default: '127.0.0.1', second: 'second.test' } as const
type Instance = keyof typeof INSTANCES

interface Principal {
  readonly name: string
  /** What it may do on each instance; undefined = nothing. */
  readonly roles: Partial<Record<Instance, Role>>
  /** Refusals for it are 401 (unauthenticated) rather than 403. */
  readonly unauthenticated: boolean
  /** It presents credentials that do not verify: never served as anon; may also be throttled (429). */
  readonly badCredentials?: boolean
  auth(): string | undefined
}

const PASSWORD = 'matrix-pass-1'
// Failed logins are slowed per source address (up to 4 s each): bad credentials come from a fresh
// loopback address each time, so every refusal is a first failure and the matrix stays fast.
let lastAddress = 0
const freshAddress = () => {
  lastAddress++
  return `127.0.${1 + (lastAddress >> 8)}.${lastAddress & 255 || 1}`
}
let tokens: { valid?: string; revoked?: string } = {}

// anon holds reader on `second` (public pull), nothing on `default`. Grants to anon apply to every user
// (auth-grants README), so every signed-in user can read `second`; bad credentials are refused, not
// downgraded to anon.
const PRINCIPALS: Principal[] = [
  { name: 'anon', roles: { second: 'reader' }, unauthenticated: true, auth: () => undefined },
  { name: 'reader', roles: { default: 'reader', second: 'reader' }, unauthenticated: false, auth: () => basic('m-reader', PASSWORD) },
  { name: 'writer', roles: { default: 'writer', second: 'reader' }, unauthenticated: false, auth: () => basic('m-writer', PASSWORD) },
  { name: 'owner', roles: { default: 'owner', second: 'reader' }, unauthenticated: false, auth: () => basic('m-owner', PASSWORD) },
  { name: 'grant on the other instance', roles: { second: 'writer' }, unauthenticated: false, auth: () => basic('m-other', PASSWORD) },
  { name: 'wrong password', roles: {}, unauthenticated: true, badCredentials: true, auth: () => basic('m-writer', 'not-the-password') },
  { name: 'unknown user', roles: {}, unauthenticated: true, badCredentials: true, auth: () => basic('m-nobody', PASSWORD) },
  { name: 'writer API token', roles: { default: 'writer', second: 'reader' }, unauthenticated: false, auth: () => `Bearer ${tokens.valid}` },
  { name: 'revoked token', roles: {}, unauthenticated: true, badCredentials: true, auth: () => `Bearer ${tokens.revoked}` },
]

function allowed(principal: Principal, have: Role | undefined, need: Need | readonly Role[]): boolean | 'either' {
  if (need === 'login') return !principal.unauthenticated
  if (need === 'list') return !principal.unauthenticated || (principal.name === 'anon' && have !== undefined)
  if (!have) return false
  if (typeof need === 'string') return RANK[have] >= RANK[need]
  const verdicts = need.map((n) => RANK[have] >= RANK[n])
  return verdicts.every(Boolean) ? true : verdicts.some(Boolean) ? 'either' : false
}

describe.skipIf(skipReason)('authorization matrix', () => {
  let ev: Everlock
  const images: Partial<Record<Instance, TestImage>> = {}

  beforeAll(async () => {
    ev = await Everlock.start()
    await ev.console(`/oci create second store=matrix-second vhost=${INSTANCES.second}`)
    for (const user of ['m-reader', 'm-writer', 'm-owner', 'm-other']) await ev.console(`/users add ${user} ${PASSWORD}`)
    await ev.console('/users grant m-reader http/oci/default reader')
    await ev.console('/users grant m-writer http/oci/default writer')
    await ev.console('/users grant m-owner http/oci/default owner')
    await ev.console('/users grant m-other http/oci/second writer')
    await ev.console('/users grant anon http/oci/second reader')
    tokens = { valid: await createToken(ev, 'm-writer'), revoked: await createToken(ev, 'm-writer') }
    await revokeToken(ev, tokens.revoked!)
    for (const [instance, host] of Object.entries(INSTANCES) as Array<[Instance, string]>) {
      images[instance] = makeImage(1, 1024)
      await pushImage(ev.target(ev.admin.auth, host), 'matrix/app', 'base', images[instance]!)
    }
  }, 120_000)
  afterAll(async () => {
    await ev?.dispose()
  })

  for (const instance of Object.keys(INSTANCES) as Instance[]) {
    for (const principal of PRINCIPALS) {
      it(`${instance} × ${principal.name}`, async () => {
        const host = INSTANCES[instance]
        const admin = ev.target(ev.admin.auth, host)
        const actor: Target = { ...ev.target(principal.auth(), host), from: principal.badCredentials ? freshAddress : undefined }
        const wrong: string[] = []
        for (const endpoint of ENDPOINTS) {
          const have = principal.roles[instance]
          const verdict = allowed(principal, have, endpoint.need)
          const ctx = { repo: 'matrix/app', image: images[instance]!, admin, actor, allowed: verdict !== false, canWrite: have !== undefined && RANK[have] >= RANK.writer }
          const reply = await endpoint.request(ctx)
          const refusal = principal.unauthenticated ? 401 : 403
          const refusals = principal.badCredentials ? [refusal, 429] : [refusal]
          const expected = verdict === true ? endpoint.ok : verdict === false ? refusals : [...endpoint.ok, ...refusals]
          const where = `${endpoint.name}: ${reply.status}, expected ${expected.join('|')}`
          if (!expected.includes(reply.status)) {
            wrong.push(`${where} ${reply.body.toString('utf8').slice(0, 120)}`)
            continue
          }
          if (reply.status === 200 && endpoint.visible && (await endpoint.visible(ctx, reply)) !== (have !== undefined)) {
            wrong.push(`${endpoint.name}: the test repository is ${have ? 'missing from' : 'shown in'} the listing`)
          }
          if (reply.status === 401 && !String(reply.headers['www-authenticate'] ?? '').startsWith('Basic')) wrong.push(`${where}: no WWW-Authenticate: Basic`)
          const isHead = endpoint.name.startsWith('HEAD')
          if (reply.status === 401 && !isHead && !errorCodes(reply).includes('UNAUTHORIZED')) wrong.push(`${where}: codes ${errorCodes(reply)}`)
          if (reply.status === 403 && !isHead && !errorCodes(reply).includes('DENIED')) wrong.push(`${where}: codes ${errorCodes(reply)}`)
          if (refusals.includes(reply.status) && endpoint.unchanged) {
            const change = await endpoint.unchanged(ctx, undefined)
            if (change) wrong.push(`${endpoint.name}: ${change}`)
          }
        }
        expect(wrong).toEqual([])
      })
    }
  }
})
