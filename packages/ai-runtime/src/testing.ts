// Test and bench helpers: write a random-weight model, projector and picture of any shape, and count loads.
// Nothing here downloads anything; the same seed writes the same bytes.
export { writeLlamaModel, TINY_LLAMA, QWEN2_5_0_5B, type LlamaShape, type LlamaModelOptions } from './gguf/llama.js'
export { writeLlavaProjector, TINY_PROJECTOR, type ProjectorShape, type ProjectorOptions } from './gguf/mmproj.js'
export { writeTestImage } from './gguf/image.js'
export { writeGguf, type GgufSpec, type TensorSpec } from './gguf/writer.js'
export { readGgufHeader, type GgufHeader } from './gguf/reader.js'
export type { TensorType } from './gguf/format.js'
export { modelLoads } from './engine.js'

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeLlamaModel, type LlamaModelOptions } from './gguf/llama.js'
import { writeLlavaProjector } from './gguf/mmproj.js'
import { writeTestImage } from './gguf/image.js'

export interface TestModelFiles {
  dir: string
  modelPath: string
  mmprojPath: string
  imagePath: string
  /** Removes the directory. */
  cleanup(): Promise<void>
}

/** A temp directory with a tiny model (~0.5 MB), a matching projector and a picture. */
export async function createTestModelFiles(options: LlamaModelOptions = {}): Promise<TestModelFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'everlock-ai-'))
  const modelPath = join(dir, 'model.gguf')
  const mmprojPath = join(dir, 'mmproj.gguf')
  const imagePath = join(dir, 'picture.bmp')
  await writeLlamaModel(modelPath, options)
  const width = options.shape?.embedding
  await writeLlavaProjector(mmprojPath, width === undefined ? {} : { shape: { textEmbedding: width } })
  await writeTestImage(imagePath)
  return { dir, modelPath, mmprojPath, imagePath, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
