import { describe, expect, it } from 'vitest'
import { createAiRuntime, isAiRuntimeError, type AiRuntime } from '../src/index.js'
import { modelLoads } from '../src/testing.js'
import { ask, codeOf, drain, useModelFiles } from './helpers.js'

const files = useModelFiles()
const greedy = { temperature: 0 }

async function withRuntime(fn: (ai: AiRuntime) => Promise<void>, contextSize = 512): Promise<void> {
  const ai = createAiRuntime({ modelPath: files().modelPath, threads: 2, contextSize })
  try {
    await fn(ai)
  } finally {
    await ai.close()
  }
}

describe('prompting (node-llama-cpp)', () => {
  it('returns before the model is loaded, then streams tokens as they are made', async () => {
    await withRuntime(async (ai) => {
      expect(ai.info().state).toBe('loading')
      expect(ai.info().engine).toBe('node-llama-cpp')
      const stream = ai.prompt([...ask], { ...greedy, maxTokens: 24 })
      const { chunks, beforeEnd } = await drain(stream)
      expect(chunks.length).toBeGreaterThan(3)
      expect(beforeEnd).toBeGreaterThan(3)
      expect(ai.info().state).toBe('ready')
    })
  })

  it('counts prompt and generated tokens, per request and in info()', async () => {
    await withRuntime(async (ai) => {
      const first = ai.prompt([...ask], { ...greedy, maxTokens: 16 })
      await drain(first)
      const stats = await first.result
      expect(stats.generatedTokens).toBe(16)
      expect(stats.stopReason).toBe('length')
      expect(stats.promptTokens).toBeGreaterThan(5)
      expect(stats.tokensPerSecond).toBeGreaterThan(0)
      const longer = ai.prompt([{ role: 'system', content: 'You answer briefly.' }, ...ask], { ...greedy, maxTokens: 8 })
      await drain(longer)
      const second = await longer.result
      expect(second.promptTokens).toBeGreaterThan(stats.promptTokens)
      const info = ai.info()
      expect(info.tokens).toEqual({ prompt: stats.promptTokens + second.promptTokens, generated: 24 })
      expect(info.requests.completed).toBe(2)
      expect(info.tokensPerSecond.last).toBeGreaterThan(0)
      expect(info.tokensPerSecond.average).toBeGreaterThan(0)
      expect(info.contextSize).toBe(512)
      expect(info.queue).toEqual({ running: 0, interactive: 0, background: 0 })
    })
  })

  it('an abort mid-stream stops generating at once, frees the slot, and the next request runs', async () => {
    await withRuntime(async (ai) => {
      const controller = new AbortController()
      const stream = ai.prompt([...ask], { ...greedy, maxTokens: 400, signal: controller.signal })
      let seen = 0
      const code = await (async () => {
        try {
          for await (const _ of stream) if (++seen === 3) controller.abort()
          return 'none'
        } catch (err) {
          return isAiRuntimeError(err) ? err.code : String(err)
        }
      })()
      expect(code).toBe('ABORTED')
      expect(seen).toBeLessThan(50)
      expect(await codeOf(stream.result)).toBe('ABORTED')
      expect(ai.info().requests.aborted).toBe(1)
      expect(ai.info().queue.running).toBe(0)
      const next = ai.prompt([...ask], { ...greedy, maxTokens: 6 })
      expect((await drain(next)).chunks.length).toBeGreaterThan(0)
      expect((await next.result).generatedTokens).toBe(6)
    })
  })

  it('a consumer that stops reading (break) cancels its request', async () => {
    await withRuntime(async (ai) => {
      const stream = ai.prompt([...ask], { ...greedy, maxTokens: 400 })
      for await (const _ of stream) break
      expect(await codeOf(stream.result)).toBe('ABORTED')
      const next = ai.prompt([...ask], { ...greedy, maxTokens: 4 })
      await drain(next)
      expect((await next.result).generatedTokens).toBe(4)
    })
  })

  it('a request cancelled while queued leaves the queue without running', async () => {
    await withRuntime(async (ai) => {
      await ai.ready()
      const running = ai.prompt([...ask], { ...greedy, maxTokens: 60 })
      const controller = new AbortController()
      const queued = ai.prompt([...ask], { ...greedy, maxTokens: 60, signal: controller.signal })
      await Promise.resolve()
      expect(ai.info().queue.interactive).toBe(1)
      controller.abort()
      expect(await codeOf(queued.result)).toBe('ABORTED')
      expect(ai.info().queue.interactive).toBe(0)
      await drain(running)
      expect(ai.info().requests).toEqual({ completed: 1, failed: 0, aborted: 1 })
    })
  })

  it('interactive prompts go before queued background work, which is still never starved', async () => {
    await withRuntime(async (ai) => {
      await ai.ready()
      const order: string[] = []
      const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name))
      const opts = { ...greedy, maxTokens: 3 }
      const all = [track('busy', ai.prompt([...ask], { ...greedy, maxTokens: 20 }).result)]
      all.push(track('caption-1', ai.prompt([...ask], { ...opts, priority: 'background' }).result))
      all.push(track('caption-2', ai.prompt([...ask], { ...opts, priority: 'background' }).result))
      for (let i = 1; i <= 8; i++) all.push(track(`prompt-${i}`, ai.prompt([...ask], opts).result))
      await Promise.all(all)
      // One slot: completion order is start order. Three prompts, a caption, three prompts, the other caption.
      expect(order).toEqual([
        'busy', 'prompt-1', 'prompt-2', 'prompt-3', 'caption-1', 'prompt-4', 'prompt-5', 'prompt-6', 'caption-2',
        'prompt-7', 'prompt-8',
      ])
    })
  })

  it('rejects a prompt longer than the context with PROMPT_TOO_LONG, and keeps serving', async () => {
    await withRuntime(async (ai) => {
      const long = ai.prompt([{ role: 'user', content: 'many words here '.repeat(200) }], greedy)
      expect(await codeOf(drain(long))).toBe('PROMPT_TOO_LONG')
      expect(await codeOf(long.result)).toBe('PROMPT_TOO_LONG')
      const ok = ai.prompt([...ask], { ...greedy, maxTokens: 3 })
      await drain(ok)
      expect((await ok.result).generatedTokens).toBe(3)
    }, 256)
  })

  it('describeImage without a projector is NO_VISION; bad arguments are OPTION_INVALID', async () => {
    await withRuntime(async (ai) => {
      expect(await codeOf(ai.describeImage(files().imagePath, 'What is this?'))).toBe('NO_VISION')
      expect(await codeOf(ai.prompt([]).result)).toBe('OPTION_INVALID')
      expect(await codeOf(ai.prompt([...ask], { maxTokens: 0 }).result)).toBe('OPTION_INVALID')
    })
  })
})

describe('one load per process', () => {
  it('every consumer of the same model shares one load and one queue', async () => {
    const before = modelLoads()
    const console = createAiRuntime({ modelPath: files().modelPath, threads: 2, contextSize: 512 })
    const captions = createAiRuntime({ modelPath: files().modelPath, threads: 2, contextSize: 512 })
    try {
      const a = console.prompt([...ask], { ...greedy, maxTokens: 4 })
      const b = captions.prompt([...ask], { ...greedy, maxTokens: 4, priority: 'background' })
      await Promise.all([drain(a), drain(b)])
      expect(modelLoads() - before).toBe(1)
      expect(console.info().requests.completed).toBe(2)
      expect(captions.info().requests.completed).toBe(2)
      await console.close()
      // The other consumer keeps its model.
      const c = captions.prompt([...ask], { ...greedy, maxTokens: 2 })
      await drain(c)
      expect(modelLoads() - before).toBe(1)
    } finally {
      await console.close()
      await captions.close()
    }
  })
})
