import { describe, expect, it } from 'vitest'
import { parseAccessPath, pathCovers } from '@everlock/auth-grants'

const covers = (grant: string, request: string) => pathCovers(parseAccessPath(grant), parseAccessPath(request))

describe('parseAccessPath', () => {
  it('accepts three or more segments, names or *', () => {
    expect(parseAccessPath('http/oci/default').segments).toEqual(['http', 'oci', 'default'])
    expect(parseAccessPath('*/*/*').path).toBe('*/*/*')
    expect(parseAccessPath('http/oci/default/team-a/').path).toBe('http/oci/default/team-a')
    expect(parseAccessPath('ssh/admin/console').segments).toHaveLength(3)
    expect(parseAccessPath('http/image/Family_1.x').path).toBe('http/image/Family_1.x')
  })
  it.each(['', 'http', 'http/oci', 'http//default', '/http/oci/default', 'http/oci/default//', 'http/oci/../x',
    'http/oci/.', 'http/oci/de fault', 'http/oci/a*', 'http/oci/défaut', 'http/oci/x:y', 42, undefined])(
    'refuses %j with PATH_INVALID',
    (bad) => {
      expect(() => parseAccessPath(bad)).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }))
    },
  )
})

describe('pathCovers', () => {
  it('exact and wildcard segments', () => {
    expect(covers('http/oci/default', 'http/oci/default')).toBe(true)
    expect(covers('*/*/*', 'http/oci/default')).toBe(true)
    expect(covers('*/*/*', 'ssh/admin/console')).toBe(true)
    expect(covers('http/*/default', 'http/oci/default')).toBe(true)
    expect(covers('http/*/default', 'http/oci/other')).toBe(false)
    expect(covers('http/oci/*', 'http/image/default')).toBe(false)
  })
  it('a grant covers everything below it, never above', () => {
    expect(covers('http/oci/default', 'http/oci/default/alice/app')).toBe(true)
    expect(covers('http/oci/default/team-a', 'http/oci/default/team-a/app')).toBe(true)
    expect(covers('http/oci/default/team-a', 'http/oci/default/team-b/app')).toBe(false)
    expect(covers('http/oci/default/team-a', 'http/oci/default')).toBe(false)
    expect(covers('http/oci/default/*/app', 'http/oci/default/x/app')).toBe(true)
    expect(covers('http/oci/default/*/app', 'http/oci/default/x/lib')).toBe(false)
  })
  it('a literal * in a request is matched only by *', () => {
    expect(covers('http/oci/default', '*/*/*')).toBe(false)
    expect(covers('*/*/*', '*/*/*')).toBe(true)
  })
})
