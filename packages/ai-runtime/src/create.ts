// createAiRuntime: one loaded model per distinct model configuration in the process. Every call with the same
// files and settings shares that one load and its queue; the model is released when the last handle closes.
import { resolve } from 'node:path'
import { AiRuntimeError } from './errors.js'
import { RuntimeCore } from './runtime.js'
import type { AiRuntime, AiRuntimeOptions } from './types.js'

interface Shared {
  core: RuntimeCore
  handles: number
}

const shared = new Map<string, Shared>()

function normalise(options: AiRuntimeOptions): AiRuntimeOptions {
  if (!options || typeof options.modelPath !== 'string' || options.modelPath === '') {
    throw new AiRuntimeError('OPTION_INVALID', 'createAiRuntime needs a modelPath')
  }
  if (options.mmprojPath !== undefined && (typeof options.mmprojPath !== 'string' || options.mmprojPath === '')) {
    throw new AiRuntimeError('OPTION_INVALID', 'mmprojPath must be a file path')
  }
  for (const key of ['threads', 'contextSize'] as const) {
    const v = options[key]
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new AiRuntimeError('OPTION_INVALID', `${key} must be a positive integer`)
  }
  const engine = options.engine ?? 'auto'
  if (!['auto', 'node-llama-cpp', 'llama.node'].includes(engine)) {
    throw new AiRuntimeError('OPTION_INVALID', 'engine must be auto, node-llama-cpp or llama.node')
  }
  if (engine === 'node-llama-cpp' && options.mmprojPath !== undefined) {
    throw new AiRuntimeError('OPTION_INVALID', 'node-llama-cpp takes no images: a projector needs the llama.node engine')
  }
  return {
    ...options,
    modelPath: resolve(options.modelPath),
    ...(options.mmprojPath === undefined ? {} : { mmprojPath: resolve(options.mmprojPath) }),
    engine,
  }
}

/**
 * Starts loading the model in the background and returns at once. Requests made before the model is ready
 * wait for it; a load failure (MODEL_MISSING, MODEL_INVALID) is reported by info() and by every request.
 */
export function createAiRuntime(options: AiRuntimeOptions): AiRuntime {
  const opts = normalise(options)
  const key = JSON.stringify([opts.modelPath, opts.mmprojPath, opts.engine, opts.threads, opts.contextSize])
  let entry = shared.get(key)
  if (!entry) {
    entry = { core: new RuntimeCore(opts), handles: 0 }
    shared.set(key, entry)
  }
  entry.handles++
  const { core } = entry
  const held = entry
  let closed = false
  return {
    prompt: (messages, o) => core.prompt(messages, o),
    describeImage: (file, prompt, o) => core.describeImage(file, prompt, o),
    info: () => core.info(),
    ready: () => core.ready(),
    async close() {
      if (closed) return
      closed = true
      if (--held.handles > 0) return
      if (shared.get(key) === held) shared.delete(key)
      await core.close()
    },
  }
}
