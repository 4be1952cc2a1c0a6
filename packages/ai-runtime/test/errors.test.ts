import { copyFile, open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAiRuntime, isAiRuntimeError, type AiRuntimeOptions } from '../src/index.js'
import { writeGguf } from '../src/testing.js'
import { ask, codeOf, drain, useModelFiles } from './helpers.js'

const files = useModelFiles()

/** Starts a runtime on `options`, waits for its load to fail, and returns what it reported. */
async function failedLoad(options: Omit<AiRuntimeOptions, 'threads'>) {
  const ai = createAiRuntime({ threads: 2, ...options })
  try {
    const loadCode = await codeOf(ai.ready())
    const info = ai.info()
    const stream = ai.prompt([...ask], { maxTokens: 2 })
    const promptCode = await codeOf(drain(stream))
    const resultCode = await codeOf(stream.result)
    return { loadCode, info, promptCode, resultCode }
  } finally {
    await ai.close()
  }
}

describe('a model that cannot be loaded', () => {
  it('a missing model file is MODEL_MISSING naming the file, in info() and on every request', async () => {
    const missing = join(files().dir, 'nope.gguf')
    const r = await failedLoad({ modelPath: missing })
    expect(r.loadCode).toBe('MODEL_MISSING')
    expect(r.info.state).toBe('failed')
    expect(r.info.error?.code).toBe('MODEL_MISSING')
    expect(r.info.error?.file).toBe(missing)
    expect(r.promptCode).toBe('MODEL_MISSING')
    expect(r.resultCode).toBe('MODEL_MISSING')
  })

  it('requests made while loading get the load error, not a hang', async () => {
    const ai = createAiRuntime({ modelPath: join(files().dir, 'nope.gguf'), threads: 2 })
    const early = ai.prompt([...ask])
    expect(await codeOf(early.result)).toBe('MODEL_MISSING')
    await ai.close()
  })

  it('a file that is not GGUF is MODEL_INVALID', async () => {
    const junk = join(files().dir, 'junk.gguf')
    await writeFile(junk, Buffer.alloc(4096, 7))
    const r = await failedLoad({ modelPath: junk })
    expect(r.loadCode).toBe('MODEL_INVALID')
    expect(r.info.error?.file).toBe(junk)
    expect(r.promptCode).toBe('MODEL_INVALID')
  })

  it('a truncated model is MODEL_INVALID (checked before the engine sees it)', async () => {
    const cut = join(files().dir, 'cut.gguf')
    await copyFile(files().modelPath, cut)
    const fh = await open(cut, 'r+')
    const { size } = await fh.stat()
    await fh.truncate(Math.floor(size * 0.7))
    await fh.close()
    const r = await failedLoad({ modelPath: cut })
    expect(r.loadCode).toBe('MODEL_INVALID')
    expect(r.info.error?.file).toBe(cut)
  })

  it('a projector given as the model (and the reverse) is MODEL_INVALID naming the wrong file', async () => {
    const swapped = await failedLoad({ modelPath: files().mmprojPath })
    expect(swapped.loadCode).toBe('MODEL_INVALID')
    expect(swapped.info.error?.file).toBe(files().mmprojPath)
    const reverse = await failedLoad({ modelPath: files().modelPath, mmprojPath: files().modelPath })
    expect(reverse.loadCode).toBe('MODEL_INVALID')
    expect(reverse.info.error?.file).toBe(files().modelPath)
  })

  it('a well-formed GGUF the engine rejects (no tensors) is MODEL_INVALID, and the process lives on', async () => {
    const empty = join(files().dir, 'empty.gguf')
    await writeGguf(empty, {
      metadata: [
        ['general.architecture', { type: 'string', value: 'llama' }],
        ['llama.block_count', { type: 'u32', value: 2 }],
      ],
      tensors: [],
      seed: 1,
    })
    const r = await failedLoad({ modelPath: empty })
    expect(r.loadCode).toBe('MODEL_INVALID')
    expect(r.info.error?.file).toBe(empty)
    const ok = createAiRuntime({ modelPath: files().modelPath, threads: 2, contextSize: 256 })
    const s = ok.prompt([...ask], { temperature: 0, maxTokens: 2 })
    await drain(s)
    expect((await s.result).generatedTokens).toBe(2)
    await ok.close()
  })

  it('a missing projector is MODEL_MISSING naming the projector', async () => {
    const missing = join(files().dir, 'no-mmproj.gguf')
    const r = await failedLoad({ modelPath: files().modelPath, mmprojPath: missing })
    expect(r.loadCode).toBe('MODEL_MISSING')
    expect(r.info.error?.file).toBe(missing)
  })

  it('bad options are OPTION_INVALID at once', () => {
    const codes = [
      { modelPath: '' },
      { modelPath: files().modelPath, threads: 0 },
      { modelPath: files().modelPath, contextSize: 1.5 },
      { modelPath: files().modelPath, mmprojPath: files().mmprojPath, engine: 'node-llama-cpp' as const },
    ].map((o) => {
      try {
        createAiRuntime(o)
        return 'none'
      } catch (err) {
        return isAiRuntimeError(err) ? err.code : String(err)
      }
    })
    expect(codes).toEqual(['OPTION_INVALID', 'OPTION_INVALID', 'OPTION_INVALID', 'OPTION_INVALID'])
  })
})
