import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAiRuntime } from '../src/index.js'
import { readGgufHeader, TINY_LLAMA, writeLlamaModel } from '../src/testing.js'
import { ask, drain, useModelFiles } from './helpers.js'

const files = useModelFiles()

describe('the GGUF writer', () => {
  it('writes a v3 header the reader parses back: architecture, shape, tokenizer, template', async () => {
    const h = await readGgufHeader(files().modelPath)
    expect(h.version).toBe(3)
    expect(h.metadata.get('general.architecture')).toBe('llama')
    expect(h.metadata.get('llama.block_count')).toBe(TINY_LLAMA.layers)
    expect(h.metadata.get('llama.embedding_length')).toBe(TINY_LLAMA.embedding)
    expect(h.metadata.get('tokenizer.ggml.model')).toBe('gpt2')
    expect(h.metadata.get('tokenizer.ggml.tokens')).toEqual({ array: TINY_LLAMA.vocabSize })
    expect(h.metadata.get('tokenizer.ggml.merges')).toEqual({ array: TINY_LLAMA.vocabSize - 259 })
    expect(String(h.metadata.get('tokenizer.chat_template'))).toContain('<|im_start|>')
    expect(h.tensorCount).toBe(1 + TINY_LLAMA.layers * 9 + 1)
    const p = await readGgufHeader(files().mmprojPath)
    expect(p.metadata.get('general.architecture')).toBe('clip')
    expect(p.metadata.get('clip.projector_type')).toBe('mlp')
  })

  it('the same seed writes the same bytes; another seed does not', async () => {
    const dir = files().dir
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, `${n}.gguf`)) as [string, string, string]
    await writeLlamaModel(a, { seed: 5 })
    await writeLlamaModel(b, { seed: 5 })
    await writeLlamaModel(c, { seed: 6 })
    const { readFile } = await import('node:fs/promises')
    expect((await readFile(a)).equals(await readFile(b))).toBe(true)
    expect((await readFile(a)).equals(await readFile(c))).toBe(false)
  })

  for (const weights of ['Q8_0', 'Q4_0'] as const) {
    it(`a ${weights} model with an untied output loads in the engine and generates`, async () => {
      const path = join(files().dir, `model-${weights}.gguf`)
      const shape = { embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 }
      const size = await writeLlamaModel(path, { weights, shape, untiedOutput: true })
      expect((await stat(path)).size).toBe(size)
      const header = await readGgufHeader(path)
      expect(header.metadata.get('general.file_type')).toBe(weights === 'Q8_0' ? 7 : 2)
      const ai = createAiRuntime({ modelPath: path, threads: 2, contextSize: 256 })
      try {
        const stream = ai.prompt([...ask], { temperature: 0, maxTokens: 8 })
        const { chunks } = await drain(stream)
        expect(chunks.length).toBeGreaterThan(1)
        expect((await stream.result).generatedTokens).toBe(8)
      } finally {
        await ai.close()
      }
    })
  }
})
