// A random-weight LLaVA-style projector (llama.cpp's "clip" architecture, projector type "mlp"): a small
// ViT (patch conv, class embedding, positions, pre-norm, N blocks) and a 2-layer MLP into the text model's
// embedding width.
import type { Init } from './random.js'
import { bool, f32, f32s, str, u32, type MetaValue } from './values.js'
import { writeGguf, type TensorSpec } from './writer.js'

export interface ProjectorShape {
  imageSize: number
  patchSize: number
  embedding: number
  feedForward: number
  layers: number
  heads: number
  /** The text model's embedding width: the projector's output. */
  textEmbedding: number
}

export interface ProjectorOptions {
  shape?: Partial<ProjectorShape>
  seed?: number
}

/** Matches TINY_LLAMA's width: 16 patches of 8×8 on a 32×32 image, 2 blocks. */
export const TINY_PROJECTOR: ProjectorShape = {
  imageSize: 32,
  patchSize: 8,
  embedding: 64,
  feedForward: 128,
  layers: 2,
  heads: 4,
  textEmbedding: 64,
}

export async function writeLlavaProjector(path: string, options: ProjectorOptions = {}): Promise<number> {
  const s = { ...TINY_PROJECTOR, ...options.shape }
  const patches = (s.imageSize / s.patchSize) ** 2
  const metadata: Array<readonly [string, MetaValue]> = [
    ['general.architecture', str('clip')],
    ['general.name', str('everlock-random-llava-projector')],
    ['general.file_type', u32(0)],
    ['clip.has_text_encoder', bool(false)],
    ['clip.has_vision_encoder', bool(true)],
    ['clip.has_llava_projector', bool(true)],
    ['clip.projector_type', str('mlp')],
    ['clip.use_gelu', bool(true)],
    ['clip.vision.image_size', u32(s.imageSize)],
    ['clip.vision.patch_size', u32(s.patchSize)],
    ['clip.vision.embedding_length', u32(s.embedding)],
    ['clip.vision.feed_forward_length', u32(s.feedForward)],
    ['clip.vision.projection_dim', u32(s.textEmbedding)],
    ['clip.vision.block_count', u32(s.layers)],
    ['clip.vision.attention.head_count', u32(s.heads)],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-5)],
    ['clip.vision.image_mean', f32s([0.48145466, 0.4578275, 0.40821073])],
    ['clip.vision.image_std', f32s([0.26862954, 0.26130258, 0.27577711])],
  ]
  const w: Init = { kind: 'random', scale: 0.05 }
  const zero: Init = { kind: 'const', value: 0 }
  const one: Init = { kind: 'const', value: 1 }
  const t = (name: string, dims: number[], init: Init = w): TensorSpec => ({ name, dims, type: 'F32', init })
  const linear = (name: string, inDim: number, outDim: number): TensorSpec[] => [
    t(`${name}.weight`, [inDim, outDim]),
    t(`${name}.bias`, [outDim], zero),
  ]
  const layerNorm = (name: string, dim: number): TensorSpec[] => [t(`${name}.weight`, [dim], one), t(`${name}.bias`, [dim], zero)]
  const tensors: TensorSpec[] = [
    t('v.class_embd', [s.embedding]),
    t('v.patch_embd.weight', [s.patchSize, s.patchSize, 3, s.embedding]),
    t('v.position_embd.weight', [s.embedding, patches + 1]),
    ...layerNorm('v.pre_ln', s.embedding),
  ]
  for (let i = 0; i < s.layers; i++) {
    const blk = `v.blk.${i}`
    tensors.push(
      ...linear(`${blk}.attn_q`, s.embedding, s.embedding),
      ...linear(`${blk}.attn_k`, s.embedding, s.embedding),
      ...linear(`${blk}.attn_v`, s.embedding, s.embedding),
      ...linear(`${blk}.attn_out`, s.embedding, s.embedding),
      ...layerNorm(`${blk}.ln1`, s.embedding),
      ...linear(`${blk}.ffn_up`, s.embedding, s.feedForward),
      ...linear(`${blk}.ffn_down`, s.feedForward, s.embedding),
      ...layerNorm(`${blk}.ln2`, s.embedding),
    )
  }
  tensors.push(...linear('mm.0', s.embedding, s.textEmbedding), ...linear('mm.2', s.textEmbedding, s.textEmbedding))
  return writeGguf(path, { metadata, tensors, seed: options.seed ?? 2 })
}
