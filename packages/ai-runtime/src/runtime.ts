// The shared core behind every AiRuntime handle of one model: the background load, the fair queue and the
// request path (validate → wait for the slot → check the prompt fits → stream from the engine).
import { availableParallelism } from 'node:os'
import { stat } from 'node:fs/promises'
import type { Engine } from './engine.js'
import { aborted, AiRuntimeError, isAiRuntimeError } from './errors.js'
import { TokenChannel } from './channel.js'
import { loadEngine, pickEngine } from './load.js'
import { FairQueue } from './queue.js'
import { RuntimeStats } from './stats.js'
import type { AiInfo, AiLogger, AiRuntimeOptions, ChatMessage, EngineName, GenerateOptions, GenerationStats, LoadState, PromptStream } from './types.js'
import { validateMessages, validateOptions } from './validate.js'

const DEFAULT_MAX_TOKENS = 512
const DEFAULT_TEMPERATURE = 0.7

interface Request {
  messages: readonly ChatMessage[]
  imagePath: string | undefined
  options: GenerateOptions
}

export class RuntimeCore {
  readonly engineName: EngineName
  readonly threads: number
  private state: LoadState = 'loading'
  private engine: Engine | undefined
  private loadError: AiRuntimeError | undefined
  private readonly loaded: Promise<void>
  private readonly queue = new FairQueue({ backgroundEvery: 3, maxWaitMs: 30_000 })
  private readonly stats = new RuntimeStats()
  private readonly running = new Set<AbortController>()
  private readonly log: AiLogger

  constructor(private readonly options: AiRuntimeOptions) {
    this.log = options.log ?? {}
    this.engineName = pickEngine(options.engine ?? 'auto', options.mmprojPath)
    this.threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()))
    // Loading starts on a later turn of the event loop: createAiRuntime returns before any file is touched.
    this.loaded = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.load())
    this.loaded.catch(() => undefined)
  }

  private async load(): Promise<void> {
    const started = Date.now()
    try {
      const engine = await loadEngine(this.engineName, {
        modelPath: this.options.modelPath,
        mmprojPath: this.options.mmprojPath,
        threads: this.threads,
        contextSize: this.options.contextSize,
        log: this.log,
      })
      if (this.state === 'closed') {
        await engine.close()
        return
      }
      this.engine = engine
      this.state = 'ready'
      this.log.info?.('ai model loaded', { model: this.options.modelPath, engine: engine.name, ms: Date.now() - started })
      this.queue.start()
    } catch (err) {
      const error = isAiRuntimeError(err)
        ? err
        : new AiRuntimeError('MODEL_INVALID', `could not load ${this.options.modelPath}`, { file: this.options.modelPath, cause: err })
      this.loadError = error
      if (this.state !== 'closed') this.state = 'failed'
      this.log.error?.('ai model failed to load', { code: error.code, file: error.file, message: error.message })
      this.queue.drain(() => error)
      throw error
    }
  }

  ready(): Promise<void> {
    return this.loaded
  }

  info(): AiInfo {
    const e = this.loadError
    return {
      model: this.options.modelPath,
      mmproj: this.options.mmprojPath,
      engine: this.engineName,
      state: this.state,
      error: e && { code: e.code, message: e.message, file: e.file },
      vision: this.engine?.vision ?? false,
      contextSize: this.engine?.contextSize,
      threads: this.threads,
      queue: this.queue.sizes,
      ...this.stats.snapshot(),
    }
  }

  prompt(messages: readonly ChatMessage[], options: GenerateOptions = {}): PromptStream {
    return this.submit({ messages, imagePath: undefined, options })
  }

  async describeImage(file: string, prompt: string, options: GenerateOptions = {}): Promise<string> {
    if (typeof file !== 'string' || file === '') throw new AiRuntimeError('OPTION_INVALID', 'describeImage needs an image file path')
    if (this.options.mmprojPath === undefined) {
      throw new AiRuntimeError('NO_VISION', `the model ${this.options.modelPath} has no vision projector (mmprojPath)`)
    }
    const found = await stat(file).then((s) => s.isFile(), () => false)
    if (!found) throw new AiRuntimeError('IMAGE_MISSING', `the image ${file} does not exist`, { file })
    const stream = this.submit({
      messages: [{ role: 'user', content: prompt }],
      imagePath: file,
      options: { priority: 'background', ...options },
    })
    let text = ''
    for await (const chunk of stream) text += chunk
    return text
  }

  private submit(request: Request): PromptStream {
    const controller = new AbortController()
    const channel = new TokenChannel(() => controller.abort())
    const result = this.execute(request, controller, channel)
    result.then(() => channel.end(), (err: Error) => channel.fail(err))
    result.catch(() => undefined) // a consumer that only iterates must not leave an unhandled rejection
    return { [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](), result }
  }

  private async execute(request: Request, controller: AbortController, channel: TokenChannel): Promise<GenerationStats> {
    validateMessages(request.messages)
    validateOptions(request.options)
    if (this.state === 'failed' && this.loadError) throw this.loadError
    if (this.state === 'closed') throw new AiRuntimeError('CLOSED', 'the AI runtime is closed')
    const outer = request.options.signal
    if (outer?.aborted) throw aborted()
    const onOuterAbort = () => controller.abort()
    outer?.addEventListener('abort', onOuterAbort, { once: true })
    const priority = request.options.priority ?? 'interactive'
    try {
      return await this.queue.run(priority, controller.signal, aborted, () => this.generate(request, controller, channel))
    } catch (err) {
      this.stats.fail(isAiRuntimeError(err, 'ABORTED'))
      throw err
    } finally {
      outer?.removeEventListener('abort', onOuterAbort)
    }
  }

  private async generate(request: Request, controller: AbortController, channel: TokenChannel): Promise<GenerationStats> {
    const engine = this.engine
    if (!engine) throw this.loadError ?? new AiRuntimeError('CLOSED', 'the AI runtime is closed')
    if (request.imagePath !== undefined && !engine.vision) {
      throw new AiRuntimeError('NO_VISION', `the engine ${engine.name} has no vision projector loaded`)
    }
    this.running.add(controller)
    const started = Date.now()
    try {
      const promptTokens = await this.countTokens(engine, request)
      const room = engine.contextSize - promptTokens
      if (room < 1) {
        throw new AiRuntimeError('PROMPT_TOO_LONG', `the prompt takes ${promptTokens} tokens; the context holds ${engine.contextSize}`)
      }
      const maxTokens = Math.min(request.options.maxTokens ?? DEFAULT_MAX_TOKENS, room)
      let firstAt: number | undefined
      const res = await engine.generate({
        messages: request.messages,
        imagePath: request.imagePath,
        maxTokens,
        temperature: request.options.temperature ?? DEFAULT_TEMPERATURE,
        signal: controller.signal,
        onText: (text) => {
          firstAt ??= Date.now()
          channel.push(text)
        },
      })
      if (controller.signal.aborted) throw aborted()
      const ended = Date.now()
      const first = firstAt ?? ended
      const promptMs = Math.max(1, first - started)
      const generateMs = Math.max(1, ended - first)
      const stats: GenerationStats = {
        promptTokens,
        generatedTokens: res.generatedTokens,
        promptTokensPerSecond: (promptTokens * 1000) / promptMs,
        tokensPerSecond: (Math.max(0, res.generatedTokens - 1) * 1000) / generateMs,
        stopReason: res.stopReason === 'length' || res.generatedTokens >= maxTokens ? 'length' : 'stop',
      }
      this.stats.record(stats, promptMs, generateMs)
      return stats
    } catch (err) {
      if (controller.signal.aborted) throw aborted()
      if (isAiRuntimeError(err)) throw err
      this.log.warn?.('ai generation failed', { message: (err as Error)?.message })
      throw new AiRuntimeError('GENERATION_FAILED', `generation failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    } finally {
      this.running.delete(controller)
    }
  }

  private async countTokens(engine: Engine, request: Request): Promise<number> {
    try {
      return await engine.countPromptTokens(request.messages, request.imagePath)
    } catch (err) {
      const file = request.imagePath
      throw new AiRuntimeError('GENERATION_FAILED', `could not read the prompt${file ? ` or the image ${file}` : ''}: ${(err as Error)?.message}`, {
        cause: err,
        ...(file === undefined ? {} : { file }),
      })
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    const closed = new AiRuntimeError('CLOSED', 'the AI runtime is closed')
    this.queue.drain(() => closed)
    for (const c of this.running) c.abort()
    await this.loaded.catch(() => undefined)
    // Wait for the running request to hand the slot back before the engine goes away.
    while (this.queue.sizes.running > 0) await new Promise((r) => setTimeout(r, 5))
    const engine = this.engine
    this.engine = undefined
    await engine?.close()
  }
}
