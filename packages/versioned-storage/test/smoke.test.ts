import { expect, test } from 'vitest'
import * as vs from '@everlock/versioned-storage'
import * as testing from '@everlock/versioned-storage/testing'

test('resolves workspace packages to sources', () => {
  expect(typeof vs).toBe('object')
  expect(typeof testing).toBe('object')
})
