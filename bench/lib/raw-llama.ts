// The raw node-llama-cpp engine the AI benches compare against: one model, one context, one chat, as its docs show.
import type { LlamaChat } from 'node-llama-cpp'

export interface RawChat {
  readonly chat: LlamaChat
  close(): Promise<void>
}

/** Loads `modelPath` on the CPU (the prebuilt binary, nothing built) with the given context size and threads. */
export async function openRawChat(modelPath: string, opts: { contextSize: number; threads: number }): Promise<RawChat> {
  const { getLlama, LlamaChat } = await import('node-llama-cpp')
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 })
  const context = await model.createContext({ contextSize: opts.contextSize, threads: opts.threads })
  return {
    chat: new LlamaChat({ contextSequence: context.getSequence() }),
    async close() {
      await context.dispose()
      await model.dispose()
    },
  }
}
