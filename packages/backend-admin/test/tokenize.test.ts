import { describe, expect, it } from 'vitest'
import { tokenize, isAdminError } from '@everlock/backend-admin'

describe('tokenize', () => {
  it('splits on whitespace and groups quoted words', () => {
    expect(tokenize('users add  alice   change-me')).toEqual(['users', 'add', 'alice', 'change-me'])
    expect(tokenize(`a "b c" 'd e' f`)).toEqual(['a', 'b c', 'd e', 'f'])
    expect(tokenize(`x"y z"w`)).toEqual(['xy zw'])
    expect(tokenize('tokens create alice label="ci pipeline"')).toEqual(['tokens', 'create', 'alice', 'label=ci pipeline'])
    expect(tokenize(`"" ''`)).toEqual(['', ''])
  })

  it('honours backslash escapes outside single quotes only', () => {
    expect(tokenize('a\\ b')).toEqual(['a b'])
    expect(tokenize('"say \\"hi\\""')).toEqual(['say "hi"'])
    expect(tokenize(`'back\\slash'`)).toEqual(['back\\slash'])
  })

  it('refuses unterminated quotes and a trailing backslash', () => {
    for (const line of ['"open', "'open", 'end\\']) {
      let caught: unknown
      try {
        tokenize(line)
      } catch (err) {
        caught = err
      }
      expect(isAdminError(caught, 'QUOTE_UNTERMINATED')).toBe(true)
    }
  })
})
