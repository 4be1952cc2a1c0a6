// Running figures for info(): token totals, request outcomes, tokens per second (last and average).
import type { AiInfo, GenerationStats } from './types.js'

export class RuntimeStats {
  private promptTokens = 0
  private generatedTokens = 0
  private promptMs = 0
  private generateMs = 0
  private completed = 0
  private failed = 0
  private aborted = 0
  private last: GenerationStats | undefined

  record(stats: GenerationStats, promptMs: number, generateMs: number): void {
    this.completed++
    this.promptTokens += stats.promptTokens
    this.generatedTokens += stats.generatedTokens
    this.promptMs += promptMs
    this.generateMs += generateMs
    this.last = stats
  }

  fail(aborted: boolean): void {
    if (aborted) this.aborted++
    else this.failed++
  }

  snapshot(): Pick<AiInfo, 'tokens' | 'requests' | 'tokensPerSecond' | 'promptTokensPerSecond'> {
    const rate = (tokens: number, ms: number) => (ms > 0 ? (tokens * 1000) / ms : undefined)
    return {
      tokens: { prompt: this.promptTokens, generated: this.generatedTokens },
      requests: { completed: this.completed, failed: this.failed, aborted: this.aborted },
      tokensPerSecond: { last: this.last?.tokensPerSecond, average: rate(this.generatedTokens, this.generateMs) },
      promptTokensPerSecond: { last: this.last?.promptTokensPerSecond, average: rate(this.promptTokens, this.promptMs) },
    }
  }
}
