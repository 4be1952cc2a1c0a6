import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { roleAtLeast, roleForMethod, parseRole, type Role } from '@everlock/auth-grants'
import { admin, openSystem, type System } from './helpers'

const METHODS: Array<[string, Role]> = [
  ['GET', 'reader'],
  ['HEAD', 'reader'],
  ['OPTIONS', 'reader'],
  ['POST', 'writer'],
  ['PUT', 'writer'],
  ['PATCH', 'writer'],
  ['DELETE', 'owner'],
  ['TRACE', 'owner'],
  ['CONNECT', 'owner'],
  ['PROPFIND', 'owner'],
]

describe('roleForMethod', () => {
  it.each(METHODS)('%s needs %s', (method, role) => {
    expect(roleForMethod(method)).toBe(role)
    expect(roleForMethod(method.toLowerCase())).toBe(role)
  })
})

describe('roleAtLeast and parseRole', () => {
  it('orders reader < writer < owner', () => {
    const order: Role[] = ['reader', 'writer', 'owner']
    for (const [i, have] of order.entries()) {
      for (const [j, need] of order.entries()) expect(roleAtLeast(have, need)).toBe(i >= j)
    }
  })
  it('accepts any case, refuses others with ROLE_INVALID', () => {
    expect(parseRole('Reader')).toBe('reader')
    expect(parseRole('OWNER')).toBe('owner')
    for (const bad of ['admin', '', 'read', undefined, 3]) expect(() => parseRole(bad)).toThrow(expect.objectContaining({ code: 'ROLE_INVALID' }))
  })
})

describe('every role against every HTTP method', () => {
  let sys: System
  const path = 'http/oci/default'
  const holders: Array<[string, Role | undefined]> = [
    ['nobody', undefined],
    ['rita', 'reader'],
    ['will', 'writer'],
    ['olga', 'owner'],
  ]

  beforeAll(async () => {
    sys = await openSystem()
    for (const [name, role] of holders) {
      await sys.auth.addUser(name, `pw-${name}`, admin)
      if (role) await sys.auth.grant(name, path, role, admin)
    }
  })
  afterAll(() => sys.close())

  const cases = holders.flatMap(([user, role]) =>
    METHODS.map(([method, need]) => ({ user, role, method, allowed: role !== undefined && roleAtLeast(role, need) })),
  )
  it.each(cases)('$user ($role) $method → $allowed', async ({ user, method, allowed }) => {
    const identity = await sys.auth.verifyPassword(user, `pw-${user}`)
    expect(identity).toEqual({ user, via: 'password' })
    expect(await sys.auth.can(identity!, `${path}/team-a/app`, roleForMethod(method))).toBe(allowed)
    expect(await sys.auth.can(identity!, path, roleForMethod(method))).toBe(allowed)
    // a different instance is never covered
    expect(await sys.auth.can(identity!, 'http/oci/other', roleForMethod(method))).toBe(false)
  })
})
