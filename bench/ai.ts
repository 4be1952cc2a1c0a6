// bench/ai.ts — @everlock/ai-runtime against the raw engines on the same generated model, in the same run.
// The model has Qwen2.5-0.5B's dimensions (24 layers, 896 wide, 151936-token vocabulary, tied embeddings)
// with random Q4_0 weights, written into a temp dir by this script (~280 MB; nothing is downloaded or kept).
// For each engine: prompt tokens/s (time to first token) and generation tokens/s, through AiRuntime and
// through the engine's own API, rounds interleaved so machine load hits both alike; ratios should be ≥ 0.95.
// Also per CPU-second of the process (all threads), which the load of other processes on the machine barely
// moves: the fairest view of the runtime's own overhead on a shared machine.
// Run: pnpm build && pnpm --filter @everlock/bench bench:ai   (--quick: fewer rounds and tokens;
//      --engine=node-llama-cpp|llama.node to run one; EVERLOCK_AI_THREADS=n, default 2)
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAiRuntime, type AiRuntime, type ChatMessage } from '@everlock/ai-runtime'
import { QWEN2_5_0_5B, writeLlamaModel, writeLlavaProjector, writeTestImage } from '@everlock/ai-runtime/testing'
import { openRawChat } from './lib/raw-llama.js'

const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--engine='))?.slice('--engine='.length)
const THREADS = Number(process.env.EVERLOCK_AI_THREADS ?? 2)
const CONTEXT = 2048
const ROUNDS = quick ? 3 : 6

interface Sample {
  promptTokens: number
  generated: number
  promptMs: number
  generateMs: number
  /** Process CPU time (all threads) in each phase: what the work cost, whatever else the machine runs. */
  promptCpuMs: number
  generateCpuMs: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const promptRate = (s: Sample[]) => median(s.map((x) => (x.promptTokens * 1000) / x.promptMs))
const genRate = (s: Sample[]) => median(s.map((x) => ((x.generated - 1) * 1000) / x.generateMs))
const promptCpuRate = (s: Sample[]) => median(s.map((x) => (x.promptTokens * 1000) / x.promptCpuMs))
const genCpuRate = (s: Sample[]) => median(s.map((x) => ((x.generated - 1) * 1000) / x.generateCpuMs))
/** Median of the per-round ratios runtime/raw: each pair ran back to back, so slow drifts of load cancel. */
const pairedRatio = (rt: Sample[], raw: Sample[], rate: (s: Sample[]) => number) =>
  median(rt.map((x, i) => rate([x]) / rate([raw[i]!])))

// A ~200-token prompt that differs from the first words on, so no round reuses another's cached prefix.
function messages(round: number): ChatMessage[] {
  const body = 'the quick brown fox jumps over the lazy dog while the river runs past the old mill '.repeat(4)
  return [{ role: 'user', content: `Round ${round} ${'ab'.repeat(round + 1)}: summarise this text: ${body}` }]
}

/** Times one generation through any API: `run` calls `onText` per chunk and returns the tokens made. */
async function timeOne(promptTokens: number, run: (onText: () => void) => Promise<number>): Promise<Sample> {
  const cpu = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  const start = performance.now()
  const cpuStart = cpu()
  let first: number | undefined
  let cpuFirst: number | undefined
  const generated = await run(() => {
    if (first !== undefined) return
    first = performance.now()
    cpuFirst = cpu()
  })
  const end = performance.now()
  const cpuEnd = cpu()
  return {
    promptTokens,
    generated,
    promptMs: (first ?? end) - start,
    generateMs: end - (first ?? end),
    promptCpuMs: (cpuFirst ?? cpuEnd) - cpuStart,
    generateCpuMs: cpuEnd - (cpuFirst ?? cpuEnd),
  }
}

async function viaRuntime(ai: AiRuntime, round: number, maxTokens: number): Promise<Sample> {
  let promptTokens = 0
  const s = await timeOne(0, async (onText) => {
    const stream = ai.prompt(messages(round), { temperature: 0, maxTokens })
    for await (const _ of stream) onText()
    const r = await stream.result
    promptTokens = r.promptTokens
    return r.generatedTokens
  })
  return { ...s, promptTokens }
}


type Raw = { run(round: number, maxTokens: number, onText: () => void): Promise<number>; close(): Promise<void> }

async function rawNodeLlamaCpp(modelPath: string): Promise<Raw> {
  const { chat, close } = await openRawChat(modelPath, { contextSize: CONTEXT, threads: THREADS })
  return {
    async run(round, maxTokens, onText) {
      let n = 0
      await chat.generateResponse([{ type: 'user', text: messages(round)[0]!.content }, { type: 'model', response: [] }], {
        maxTokens,
        temperature: 0,
        onToken: (t) => (n += t.length),
        onTextChunk: onText,
      })
      return n
    },
    close,
  }
}

async function rawLlamaNode(modelPath: string): Promise<Raw> {
  const lib = (await import('@fugood/llama.node' as string)) as {
    loadModel(o: object): Promise<{
      completion(o: object, cb: (t: { token: string }) => void): Promise<{ tokens_predicted: number }>
      release(): Promise<void>
    }>
  }
  const ctx = await lib.loadModel({ model: modelPath, n_ctx: CONTEXT, n_threads: THREADS, n_gpu_layers: 0 })
  return {
    async run(round, maxTokens, onText) {
      let n = 0
      const res = await ctx.completion({ messages: messages(round), n_predict: maxTokens, temperature: 0 }, () => {
        n++
        onText()
      })
      return Math.max(n, res.tokens_predicted)
    },
    close: () => ctx.release(),
  }
}

async function measure(engine: 'node-llama-cpp' | 'llama.node', modelPath: string, maxTokens: number, rounds: number) {
  const raw = engine === 'node-llama-cpp' ? await rawNodeLlamaCpp(modelPath) : await rawLlamaNode(modelPath)
  const ai = createAiRuntime({ modelPath, engine, threads: THREADS, contextSize: CONTEXT })
  await ai.ready()
  // Warm-up, then interleaved rounds; the runtime's prompt count is the same token sequence the raw run sees.
  await raw.run(100, 4, () => undefined)
  await viaRuntime(ai, 101, 4)
  const rawSamples: Sample[] = []
  const rtSamples: Sample[] = []
  // Both see the same prompt each round (each has its own context, so neither reuses a cached prefix) and
  // make the same tokens (greedy); who goes first alternates.
  for (let r = 0; r < rounds; r++) {
    const viaRaw = () => timeOne(0, (onText) => raw.run(r, maxTokens, onText))
    if (r % 2 === 0) {
      rtSamples.push(await viaRuntime(ai, r, maxTokens))
      rawSamples.push(await viaRaw())
    } else {
      rawSamples.push(await viaRaw())
      rtSamples.push(await viaRuntime(ai, r, maxTokens))
    }
    rawSamples[r]!.promptTokens = rtSamples[r]!.promptTokens
  }
  await ai.close()
  await raw.close()
  return { engine, raw: rawSamples, runtime: rtSamples }
}

async function captionsPerMinute(modelPath: string, dir: string): Promise<number> {
  const mmprojPath = join(dir, 'mmproj.gguf')
  const imagePath = join(dir, 'picture.bmp')
  await writeLlavaProjector(mmprojPath, { shape: { textEmbedding: QWEN2_5_0_5B.embedding } })
  await writeTestImage(imagePath, 256, 256)
  const ai = createAiRuntime({ modelPath, mmprojPath, threads: THREADS, contextSize: CONTEXT })
  await ai.describeImage(imagePath, 'Describe the picture.', { temperature: 0, maxTokens: 4 })
  const n = quick ? 2 : 4
  const start = performance.now()
  for (let i = 0; i < n; i++) await ai.describeImage(imagePath, `Describe picture ${i}.`, { temperature: 0, maxTokens: 32 })
  const minutes = (performance.now() - start) / 60_000
  await ai.close()
  return n / minutes
}

const dir = await mkdtemp(join(tmpdir(), 'everlock-bench-ai-'))
try {
  const modelPath = join(dir, 'qwen2.5-0.5b-shape-q4_0.gguf')
  const t0 = performance.now()
  const bytes = await writeLlamaModel(modelPath, { shape: { ...QWEN2_5_0_5B, contextLength: 32768 }, weights: 'Q4_0', name: 'qwen2.5-0.5b-shape' })
  console.log(`model: ${(bytes / 2 ** 20).toFixed(0)} MiB Q4_0, Qwen2.5-0.5B dims, written in ${((performance.now() - t0) / 1000).toFixed(1)} s; threads ${THREADS}, ${ROUNDS} rounds`)
  const engines = (['node-llama-cpp', 'llama.node'] as const).filter((e) => !only || e === only)
  const rows = []
  for (const engine of engines) {
    // llama.node is several times slower: fewer rounds and tokens keep the run within minutes.
    const slow = engine === 'llama.node'
    const r = await measure(engine, modelPath, slow ? (quick ? 16 : 32) : quick ? 32 : 64, slow ? Math.ceil(ROUNDS / 2) : ROUNDS)
    rows.push(r)
    const fmt = (n: number) => n.toFixed(2).padStart(8)
    console.log(`\n${engine}            prompt t/s   gen t/s`)
    console.log(`  raw engine        ${fmt(promptRate(r.raw))}  ${fmt(genRate(r.raw))}`)
    console.log(`  AiRuntime         ${fmt(promptRate(r.runtime))}  ${fmt(genRate(r.runtime))}`)
    console.log(`  ratio of medians  ${fmt(promptRate(r.runtime) / promptRate(r.raw))}  ${fmt(genRate(r.runtime) / genRate(r.raw))}`)
    console.log(`  paired ratio      ${fmt(pairedRatio(r.runtime, r.raw, promptRate))}  ${fmt(pairedRatio(r.runtime, r.raw, genRate))}`)
    console.log(`  per CPU-second: raw ${fmt(promptCpuRate(r.raw))}  ${fmt(genCpuRate(r.raw))}`)
    console.log(`                  AiRuntime ${fmt(promptCpuRate(r.runtime))}  ${fmt(genCpuRate(r.runtime))}`)
    console.log(`  CPU ratio         ${fmt(pairedRatio(r.runtime, r.raw, promptCpuRate))}  ${fmt(pairedRatio(r.runtime, r.raw, genCpuRate))}`)
    const each = (xs: Sample[]) => xs.map((x) => `${promptRate([x]).toFixed(0)}/${genRate([x]).toFixed(1)}`).join(' ')
    console.log(`  rounds (prompt/gen t/s)  raw: ${each(r.raw)}  runtime: ${each(r.runtime)}`)
  }
  if (rows.length === 2) {
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]]
    console.log(`\nnode-llama-cpp / llama.node (raw): prompt ${(promptRate(a.raw) / promptRate(b.raw)).toFixed(1)}×, generation ${(genRate(a.raw) / genRate(b.raw)).toFixed(1)}×`)
  }
  if (!only || only === 'llama.node') {
    console.log(`captions/min (llama.node, 32 tokens, tiny random projector into the 896-wide model): ${(await captionsPerMinute(modelPath, dir)).toFixed(1)}`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
