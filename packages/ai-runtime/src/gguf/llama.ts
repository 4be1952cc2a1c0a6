// A random-weight llama-architecture model: the keys and tensors llama.cpp's loader requires for
// LLM_ARCH_LLAMA, a byte-level BPE tokenizer and a ChatML chat template.
import type { TensorType } from './format.js'
import type { Init } from './random.js'
import { bool, f32, i32s, str, strings, u32, type MetaValue } from './values.js'
import { buildVocab, CHATML_TEMPLATE } from './vocab.js'
import { writeGguf, type TensorSpec } from './writer.js'

export interface LlamaShape {
  vocabSize: number
  embedding: number
  layers: number
  heads: number
  kvHeads: number
  feedForward: number
  contextLength: number
}

export interface LlamaModelOptions {
  shape?: Partial<LlamaShape>
  /** Encoding of the 2-D weight matrices (norms are always F32). Default F32. */
  weights?: TensorType
  /** Write a separate output (lm head) matrix; without it the model ties it to the token embedding. */
  untiedOutput?: boolean
  seed?: number
  name?: string
}

/** 2 layers, a 512-token vocabulary: about 1 MB in F32, loads in milliseconds. */
export const TINY_LLAMA: LlamaShape = {
  vocabSize: 512,
  embedding: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  feedForward: 128,
  contextLength: 2048,
}

/** Qwen2.5-0.5B's dimensions (as a llama-architecture model, tied embeddings): ~280 MB in Q4_0. */
export const QWEN2_5_0_5B: LlamaShape = {
  vocabSize: 151936,
  embedding: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  feedForward: 4864,
  contextLength: 32768,
}

/** Writes the model to `path`; resolves to its size in bytes. */
export async function writeLlamaModel(path: string, options: LlamaModelOptions = {}): Promise<number> {
  const shape = { ...TINY_LLAMA, ...options.shape }
  const seed = options.seed ?? 1
  const weights = options.weights ?? 'F32'
  const vocab = buildVocab(shape.vocabSize, seed)
  const headDim = shape.embedding / shape.heads
  const kvDim = headDim * shape.kvHeads
  const metadata: Array<readonly [string, MetaValue]> = [
    ['general.architecture', str('llama')],
    ['general.name', str(options.name ?? 'everlock-random-llama')],
    ['general.file_type', u32(weights === 'F32' ? 0 : weights === 'Q8_0' ? 7 : 2)],
    ['llama.context_length', u32(shape.contextLength)],
    ['llama.embedding_length', u32(shape.embedding)],
    ['llama.block_count', u32(shape.layers)],
    ['llama.feed_forward_length', u32(shape.feedForward)],
    ['llama.attention.head_count', u32(shape.heads)],
    ['llama.attention.head_count_kv', u32(shape.kvHeads)],
    ['llama.attention.layer_norm_rms_epsilon', f32(1e-6)],
    ['llama.rope.dimension_count', u32(headDim)],
    ['llama.rope.freq_base', f32(1_000_000)],
    ['llama.vocab_size', u32(shape.vocabSize)],
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str('default')],
    ['tokenizer.ggml.tokens', strings(vocab.tokens)],
    ['tokenizer.ggml.token_type', i32s(vocab.types)],
    ['tokenizer.ggml.merges', strings(vocab.merges)],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bos)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eos)],
    ['tokenizer.ggml.padding_token_id', u32(vocab.bos)],
    ['tokenizer.ggml.add_bos_token', bool(false)],
    ['tokenizer.chat_template', str(CHATML_TEMPLATE)],
  ]
  // Weights small enough that activations stay finite through any depth; norms at 1.
  const w: Init = { kind: 'random', scale: 0.08 }
  const ones: Init = { kind: 'const', value: 1 }
  const matrix = (name: string, dims: number[]): TensorSpec => ({ name, dims, type: weights, init: w })
  const norm = (name: string): TensorSpec => ({ name, dims: [shape.embedding], type: 'F32', init: ones })
  // Tokens a random model should never emit get zero embedding/output rows: lone bytes 0x80-0xFF (not text
  // on their own) and the control tokens. Greedy decoding then yields printable text of the requested length.
  const silent = new Set<number>(vocab.types.flatMap((type, id) => (type === 3 ? [id] : [])))
  for (let b = 0x80; b <= 0xff; b++) silent.add(b)
  const tensors: TensorSpec[] = [{ ...matrix('token_embd.weight', [shape.embedding, shape.vocabSize]), zeroRows: silent }]
  for (let i = 0; i < shape.layers; i++) {
    const blk = `blk.${i}`
    tensors.push(
      norm(`${blk}.attn_norm.weight`),
      matrix(`${blk}.attn_q.weight`, [shape.embedding, shape.embedding]),
      matrix(`${blk}.attn_k.weight`, [shape.embedding, kvDim]),
      matrix(`${blk}.attn_v.weight`, [shape.embedding, kvDim]),
      matrix(`${blk}.attn_output.weight`, [shape.embedding, shape.embedding]),
      norm(`${blk}.ffn_norm.weight`),
      matrix(`${blk}.ffn_gate.weight`, [shape.embedding, shape.feedForward]),
      matrix(`${blk}.ffn_up.weight`, [shape.embedding, shape.feedForward]),
      matrix(`${blk}.ffn_down.weight`, [shape.feedForward, shape.embedding]),
    )
  }
  tensors.push(norm('output_norm.weight'))
  if (options.untiedOutput) tensors.push({ ...matrix('output.weight', [shape.embedding, shape.vocabSize]), zeroRows: silent })
  return writeGguf(path, { metadata, tensors, seed })
}
