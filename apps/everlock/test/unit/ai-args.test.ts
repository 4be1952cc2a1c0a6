import { describe, expect, it } from 'vitest'
import { parseServeArgs } from '../../src/args.js'
import { tagsOf } from '../../src/captions.js'
import { isEverlockError } from '../../src/errors.js'

const BASE = ['serve', '--backend-admin-ssh', '--admin-user', 'admin', '--admin-password', 'pw']

function problems(argv: string[]): string[] {
  try {
    parseServeArgs(argv, {}, '/srv')
  } catch (err) {
    if (isEverlockError(err, 'USAGE')) return err.problems.map((p) => p.key)
    throw err
  }
  throw new Error('no error')
}

describe('--backend-ai-ssh flags', () => {
  it('parse into options, files relative to the working directory', () => {
    const parsed = parseServeArgs([...BASE, '--backend-ai-ssh', '--backend-ai-ssh-model', 'm.gguf', '--backend-ai-ssh-mmproj', '/abs/p.gguf', '--backend-ai-ssh-threads', '2', '--backend-ai-ssh-context', '2048', '--backend-ai-ssh-max-tokens', '64'], {}, '/srv')
    expect(parsed.help === false && parsed.options.ai).toEqual({ modelPath: '/srv/m.gguf', mmprojPath: '/abs/p.gguf', threads: 2, contextSize: 2048, maxTokens: 64 })
  })

  it('need the console and a model; the model flags need --backend-ai-ssh; numbers are checked', () => {
    expect(problems(['serve', '--backend-ai-ssh', '--backend-ai-ssh-model', 'm.gguf'])).toEqual(['--backend-ai-ssh'])
    expect(problems([...BASE, '--backend-ai-ssh'])).toEqual(['--backend-ai-ssh'])
    expect(problems([...BASE, '--backend-ai-ssh-model', 'm.gguf', '--backend-ai-ssh-threads', '2'])).toEqual(['--backend-ai-ssh-model', '--backend-ai-ssh-threads'])
    expect(problems([...BASE, '--backend-ai-ssh', '--backend-ai-ssh-model', 'm.gguf', '--backend-ai-ssh-threads', '0', '--backend-ai-ssh-context', 'lots'])).toEqual([
      '--backend-ai-ssh-threads',
      '--backend-ai-ssh-context',
    ])
    expect(problems([...BASE, '--backend-ai-ssh', '--backend-ai-ssh-model', ''])).toEqual(['--backend-ai-ssh-model'])
  })
})

describe('caption tags from an answer', () => {
  it('splits lists, drops markers and end punctuation, splits long pieces into words', () => {
    expect(tagsOf('1. Beach, sunset;\n- Palm trees.\n#sea')).toEqual(['Beach', 'sunset', 'Palm trees', 'sea'])
    expect(tagsOf('a very long rambling answer')).toEqual(['a', 'very', 'long', 'rambling', 'answer'])
    expect(tagsOf(' , ;')).toEqual([])
    expect(tagsOf(`x\u0014y ${'z'.repeat(80)}`)).toEqual(['x y ' + 'z'.repeat(60)])
  })
})
