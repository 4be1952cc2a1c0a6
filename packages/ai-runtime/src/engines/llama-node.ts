// Text + vision engine on @fugood/llama.node: one loaded model serves prompts and, with a projector
// (initMultimodal), images. It runs one completion at a time per context, which the runtime's queue honours.
import { countLoad, type Engine, type EngineLoadOptions, type EngineRequest, type EngineResult } from '../engine.js'
import type { ChatMessage } from '../types.js'

type NodeMessage = { role: string; content: string | Array<{ type: string; text?: string; image_url?: { url: string } }> }

// The package ships TypeScript sources that do not compile under strict settings, so the few calls used here
// are declared locally and the module is imported by a non-literal specifier.
interface Context {
  initMultimodal(options: { path: string; use_gpu: boolean }): boolean
  getFormattedChat(messages: NodeMessage[], template: undefined, params: { add_generation_prompt: boolean }): { prompt: string }
  tokenize(text: string, options: { media_paths?: string[] }): Promise<{ tokens: ArrayLike<number> }>
  completion(
    options: { messages: NodeMessage[]; n_predict: number; temperature: number },
    onToken: (token: { token: string }) => void,
  ): Promise<{ text: string; tokens_predicted: number; tokens_evaluated: number; context_full: boolean; interrupted: boolean; truncated: boolean }>
  stopCompletion(): void
  release(): Promise<void>
}
interface LlamaNode {
  loadModel(options: { model: string; n_ctx: number; n_threads: number; n_gpu_layers: number }): Promise<Context>
  toggleNativeLog(enable: boolean): Promise<void>
}
const MODULE = '@fugood/llama.node'


function toMessages(messages: readonly ChatMessage[], imagePath: string | undefined): NodeMessage[] {
  const out: NodeMessage[] = messages.map((m) => ({ role: m.role, content: m.content }))
  if (imagePath === undefined) return out
  const last = out.findLastIndex((m) => m.role === 'user')
  const target = out[last]
  if (target === undefined) throw new RangeError('an image needs a user message')
  target.content = [{ type: 'image_url', image_url: { url: imagePath } }, { type: 'text', text: String(target.content) }]
  return out
}

export async function loadLlamaNode(options: EngineLoadOptions): Promise<Engine> {
  const lib = (await import(MODULE)) as LlamaNode
  // Routing native logs to a JS listener keeps a thread-safe callback alive (the process then never exits),
  // so llama.cpp's own logging stays as it is: off, it prints to the process's stdout/stderr.
  const nCtx = options.contextSize ?? 4096
  const ctx: Context = await lib.loadModel({
    model: options.modelPath,
    n_ctx: nCtx,
    n_threads: options.threads,
    n_gpu_layers: 0,
  })
  countLoad()
  let vision = false
  if (options.mmprojPath !== undefined) {
    vision = ctx.initMultimodal({ path: options.mmprojPath, use_gpu: false })
    if (!vision) {
      await ctx.release()
      throw new Error(`the projector ${options.mmprojPath} did not load`)
    }
  }

  const format = (messages: readonly ChatMessage[], imagePath: string | undefined) =>
    ctx.getFormattedChat(toMessages(messages, imagePath), undefined, { add_generation_prompt: true })

  return {
    name: 'llama.node',
    vision,
    contextSize: nCtx,

    async countPromptTokens(messages, imagePath) {
      const formatted = format(messages, imagePath)
      const paths = imagePath === undefined ? undefined : [imagePath]
      const res = await ctx.tokenize(formatted.prompt, paths === undefined ? {} : { media_paths: paths })
      return res.tokens.length
    },

    async generate(request: EngineRequest): Promise<EngineResult> {
      const onAbort = () => ctx.stopCompletion()
      request.signal.addEventListener('abort', onAbort, { once: true })
      let callbacks = 0
      let sent = ''
      let finished = false
      try {
        const res = await ctx.completion(
          {
            messages: toMessages(request.messages, request.imagePath),
            n_predict: request.maxTokens,
            temperature: request.temperature,
          },
          (token) => {
            callbacks++
            if (finished || request.signal.aborted || !token.token) return
            sent += token.token
            request.onText(token.token)
          },
        )
        if (request.signal.aborted) throw request.signal.reason
        // Token callbacks arrive through a thread-safe queue and may trail the result: let them land, then
        // send whatever text is still missing so the stream always ends with the whole answer.
        for (let quiet = 0, seen = -1; quiet < 2; ) {
          await new Promise((resolve) => setImmediate(resolve))
          quiet = callbacks === seen ? quiet + 1 : 0
          seen = callbacks
        }
        finished = true
        if (res.text.startsWith(sent) && res.text.length > sent.length) request.onText(res.text.slice(sent.length))
        const generatedTokens = Math.max(callbacks, res.tokens_predicted)
        return { generatedTokens, stopReason: generatedTokens >= request.maxTokens || res.context_full ? 'length' : 'stop' }
      } finally {
        finished = true
        request.signal.removeEventListener('abort', onAbort)
      }
    },

    async close() {
      await ctx.release()
    },
  }
}
