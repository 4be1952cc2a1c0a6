// Text engine on node-llama-cpp (its prebuilt CPU binary: no GPU, never built at run time).
import type { ChatHistoryItem, Llama, LlamaChat, LlamaContext, LlamaModel } from 'node-llama-cpp'
import { countLoad, type Engine, type EngineLoadOptions, type EngineRequest, type EngineResult } from '../engine.js'
import type { ChatMessage } from '../types.js'

let llamaPromise: Promise<Llama> | undefined

/** One llama.cpp binding per process, whatever the number of runtimes. */
async function binding(): Promise<Llama> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp')
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false })
  return llamaPromise
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
  )
  history.push({ type: 'model', response: [] })
  return history
}

export async function loadNodeLlamaCpp(options: EngineLoadOptions): Promise<Engine> {
  const { LlamaChat: Chat } = await import('node-llama-cpp')
  const llama = await binding()
  const model: LlamaModel = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 })
  countLoad()
  let context: LlamaContext
  try {
    context = await model.createContext({
      contextSize: options.contextSize ?? { max: 4096 },
      threads: options.threads,
      sequences: 1,
    })
  } catch (err) {
    await model.dispose()
    throw err
  }
  const chat: LlamaChat = new Chat({ contextSequence: context.getSequence() })

  return {
    name: 'node-llama-cpp',
    vision: false,
    contextSize: context.contextSize,

    async countPromptTokens(messages) {
      const { contextText } = chat.chatWrapper.generateContextState({ chatHistory: toHistory(messages) })
      return contextText.tokenize(model.tokenizer).length
    },

    async generate(request: EngineRequest): Promise<EngineResult> {
      let generatedTokens = 0
      const res = await chat.generateResponse(toHistory(request.messages), {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        signal: request.signal,
        stopOnAbortSignal: false,
        onToken: (tokens) => {
          generatedTokens += tokens.length
        },
        onTextChunk: (text) => {
          if (text !== '') request.onText(text)
        },
      })
      return { generatedTokens, stopReason: res.metadata.stopReason === 'maxTokens' ? 'length' : 'stop' }
    },

    async close() {
      chat.dispose()
      await context.dispose()
      await model.dispose()
    },
  }
}
