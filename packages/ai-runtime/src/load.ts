// Checks the model (and projector) files, picks the engine and loads the model once. Every failure becomes
// MODEL_MISSING or MODEL_INVALID naming the file.
import { stat } from 'node:fs/promises'
import type { Engine, EngineLoader, EngineLoadOptions } from './engine.js'
import { AiRuntimeError } from './errors.js'
import { readGgufHeader } from './gguf/reader.js'
import type { EngineName } from './types.js'

const LOADERS: Record<EngineName, () => Promise<EngineLoader>> = {
  'node-llama-cpp': async () => (await import('./engines/node-llama-cpp.js')).loadNodeLlamaCpp,
  'llama.node': async () => (await import('./engines/llama-node.js')).loadLlamaNode,
}

/** node-llama-cpp takes no image input (3.x), so a projector needs llama.node; text alone runs faster on node-llama-cpp. */
export function pickEngine(choice: EngineName | 'auto', mmprojPath: string | undefined): EngineName {
  if (choice !== 'auto') return choice
  return mmprojPath === undefined ? 'node-llama-cpp' : 'llama.node'
}

async function checkFile(path: string, what: 'model' | 'projector'): Promise<void> {
  try {
    const s = await stat(path)
    if (!s.isFile()) throw new AiRuntimeError('MODEL_MISSING', `the ${what} ${path} is not a file`, { file: path })
  } catch (err) {
    if (err instanceof AiRuntimeError) throw err
    throw new AiRuntimeError('MODEL_MISSING', `the ${what} file ${path} does not exist or cannot be read`, { file: path, cause: err })
  }
  let arch: unknown
  try {
    arch = (await readGgufHeader(path)).metadata.get('general.architecture')
  } catch (err) {
    throw new AiRuntimeError('MODEL_INVALID', `the ${what} file ${path} is not a valid GGUF model: ${(err as Error).message}`, {
      file: path,
      cause: err,
    })
  }
  const isProjector = arch === 'clip'
  if (typeof arch !== 'string' || isProjector !== (what === 'projector')) {
    const expected = what === 'projector' ? 'a vision projector (clip)' : 'a language model'
    throw new AiRuntimeError('MODEL_INVALID', `the ${what} file ${path} is not ${expected} (architecture ${String(arch)})`, { file: path })
  }
}

export async function loadEngine(name: EngineName, options: EngineLoadOptions): Promise<Engine> {
  await checkFile(options.modelPath, 'model')
  if (options.mmprojPath !== undefined) await checkFile(options.mmprojPath, 'projector')
  const loader = await LOADERS[name]()
  try {
    return await loader(options)
  } catch (err) {
    const file = options.mmprojPath !== undefined && /projector|mmproj|multimodal|clip/i.test(String(err)) ? options.mmprojPath : options.modelPath
    throw new AiRuntimeError('MODEL_INVALID', `${name} could not load ${file}: ${(err as Error).message ?? String(err)}`, { file, cause: err })
  }
}
