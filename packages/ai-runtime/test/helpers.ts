import { afterAll, beforeAll } from 'vitest'
import { createTestModelFiles, type TestModelFiles } from '../src/testing.js'
import type { AiRuntimeError, PromptStream } from '../src/index.js'

/** Tiny model files written once per test file into a temp dir. */
export function useModelFiles(): () => TestModelFiles {
  let files: TestModelFiles | undefined
  beforeAll(async () => {
    files = await createTestModelFiles()
  })
  afterAll(async () => {
    await files?.cleanup()
  })
  return () => {
    if (!files) throw new Error('model files not written yet')
    return files
  }
}

export const ask = [{ role: 'user', content: 'Tell me about the weather in the mountains.' }] as const

/** Reads a stream to its end; records each chunk and whether the result had settled when it arrived. */
export async function drain(stream: PromptStream): Promise<{ chunks: string[]; beforeEnd: number }> {
  let settled = false
  stream.result.then(() => (settled = true), () => (settled = true))
  const chunks: string[] = []
  let beforeEnd = 0
  for await (const chunk of stream) {
    chunks.push(chunk)
    if (!settled) beforeEnd++
  }
  return { chunks, beforeEnd }
}

/** The code of the error `p` rejects with (or 'none'). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'none'
  } catch (err) {
    return (err as AiRuntimeError).code ?? String(err)
  }
}
