import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAiRuntime } from '../src/index.js'
import { modelLoads } from '../src/testing.js'
import { ask, codeOf, drain, useModelFiles } from './helpers.js'

const files = useModelFiles()
const greedy = { temperature: 0 }

describe('a model with a vision projector (llama.node)', () => {
  it('describes images and answers prompts from one load', async () => {
    const before = modelLoads()
    const ai = createAiRuntime({ modelPath: files().modelPath, mmprojPath: files().mmprojPath, threads: 2, contextSize: 512 })
    try {
      expect(ai.info().engine).toBe('llama.node')
      const caption = await ai.describeImage(files().imagePath, 'Describe the picture.', { ...greedy, maxTokens: 12 })
      expect(caption.length).toBeGreaterThan(0)
      const info = ai.info()
      expect(info.vision).toBe(true)
      expect(info.state).toBe('ready')
      expect(info.tokens.generated).toBe(12)
      // The image's tokens count as prompt tokens: an image prompt is longer than the same text alone.
      const imagePromptTokens = info.tokens.prompt
      const stream = ai.prompt([{ role: 'user', content: 'Describe the picture.' }], { ...greedy, maxTokens: 12 })
      const { chunks, beforeEnd } = await drain(stream)
      expect(chunks.length).toBeGreaterThan(3)
      expect(beforeEnd).toBeGreaterThan(3)
      const stats = await stream.result
      expect(stats.generatedTokens).toBe(12)
      expect(imagePromptTokens).toBeGreaterThan(stats.promptTokens)
      expect(modelLoads() - before).toBe(1)
    } finally {
      await ai.close()
    }
  })

  it('an abort stops a running image description, and the next request runs', async () => {
    const ai = createAiRuntime({ modelPath: files().modelPath, mmprojPath: files().mmprojPath, threads: 2, contextSize: 512 })
    try {
      const controller = new AbortController()
      const stream = ai.prompt([...ask], { ...greedy, maxTokens: 400, signal: controller.signal })
      let seen = 0
      const code = await codeOf(
        (async () => {
          for await (const _ of stream) if (++seen === 3) controller.abort()
        })(),
      )
      expect(code).toBe('ABORTED')
      expect(seen).toBeLessThan(50)
      const caption = await ai.describeImage(files().imagePath, 'Describe the picture.', { ...greedy, maxTokens: 4 })
      expect(caption.length).toBeGreaterThan(0)
    } finally {
      await ai.close()
    }
  })

  it('an image the engine cannot read fails that request only (GENERATION_FAILED)', async () => {
    const ai = createAiRuntime({ modelPath: files().modelPath, mmprojPath: files().mmprojPath, threads: 2, contextSize: 512 })
    try {
      const broken = join(files().dir, 'broken.png')
      await writeFile(broken, Buffer.from('\x89PNG\r\n\x1a\nthis is not a picture'))
      expect(await codeOf(ai.describeImage(broken, 'Describe the picture.', greedy))).toBe('GENERATION_FAILED')
      expect(await codeOf(ai.describeImage(join(files().dir, 'none.png'), 'Describe.', greedy))).toBe('IMAGE_MISSING')
      const caption = await ai.describeImage(files().imagePath, 'Describe the picture.', { ...greedy, maxTokens: 4 })
      expect(caption.length).toBeGreaterThan(0)
      expect(ai.info().requests.failed).toBe(1)
      expect(ai.info().state).toBe('ready')
    } finally {
      await ai.close()
    }
  })
})
