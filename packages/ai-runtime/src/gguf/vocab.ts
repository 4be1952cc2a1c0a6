// A byte-level BPE vocabulary in the form llama.cpp's "gpt2" tokenizer loads: the 256 byte symbols, merged
// tokens each with its merge rule ("left right", in rank order), then ChatML control tokens last.
import { Rng } from './random.js'

export interface Vocab {
  tokens: string[]
  /** 1 normal, 3 control (llama.cpp's token types). */
  types: number[]
  merges: string[]
  bos: number
  eos: number
  imStart: number
  imEnd: number
}

const CONTROL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const

/** GPT-2's reversible byte → printable character table (bytes that print as themselves keep their code). */
export function byteSymbols(): string[] {
  const out: string[] = new Array(256)
  let extra = 0
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)
    out[b] = String.fromCodePoint(printable ? b : 256 + extra++)
  }
  return out
}

// Text symbols first merged into longer tokens: lowercase letters, the space marker (Ġ) and a few others,
// so ordinary English prompts tokenize into multi-byte tokens as with a trained vocabulary.
const COMMON = 'etaoinshrdlcumwfgypbvkjxqz'

/** A vocabulary of exactly `size` tokens (at least 259 + a few). Deterministic for a given seed. */
export function buildVocab(size: number, seed: number): Vocab {
  const bytes = byteSymbols()
  const mergedCount = size - bytes.length - CONTROL.length
  if (mergedCount < 0) throw new RangeError(`vocabulary size ${size} is below ${bytes.length + CONTROL.length}`)
  const tokens = [...bytes]
  const seen = new Set(tokens)
  const merges: string[] = []
  const rng = new Rng(seed)
  const space = bytes[32] as string
  const seeds = [space, ...COMMON].map((c) => tokens.indexOf(c))
  let guard = 0
  while (merges.length < mergedCount) {
    // Left side: a recent or a seed token; right side: a seed letter — words grow a letter at a time.
    const pool = tokens.length - bytes.length
    const left = pool > 0 && rng.below(3) > 0 ? bytes.length + rng.below(pool) : (seeds[rng.below(seeds.length)] as number)
    const right = seeds[1 + rng.below(seeds.length - 1)] as number
    const a = tokens[left] as string
    const b = tokens[right] as string
    const joined = a + b
    if (seen.has(joined) || joined.length > 16) {
      if (++guard > mergedCount * 50) throw new Error('could not build a vocabulary of that size')
      continue
    }
    seen.add(joined)
    tokens.push(joined)
    merges.push(`${a} ${b}`)
  }
  const first = tokens.length
  tokens.push(...CONTROL)
  const types = tokens.map((_, i) => (i >= first ? 3 : 1))
  return { tokens, types, merges, bos: first, eos: first + 2, imStart: first + 1, imEnd: first + 2 }
}

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
