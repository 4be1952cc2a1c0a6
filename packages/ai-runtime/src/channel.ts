// A single-consumer async iterable fed by a producer: tokens are pushed as the engine makes them and read as
// the consumer pulls. A consumer that stops early (break, return) cancels the producer through `onStop`.

export class TokenChannel implements AsyncIterable<string> {
  private readonly buffered: string[] = []
  private error: Error | undefined
  private done = false
  private wake: (() => void) | undefined
  private iterated = false

  constructor(private readonly onStop: () => void) {}

  push(text: string): void {
    if (this.done) return
    this.buffered.push(text)
    this.notify()
  }

  end(): void {
    this.done = true
    this.notify()
  }

  fail(err: Error): void {
    if (this.done) return
    this.error = err
    this.done = true
    this.notify()
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.iterated) throw new TypeError('a prompt stream can be read once')
    this.iterated = true
    return {
      next: async (): Promise<IteratorResult<string>> => {
        for (;;) {
          const text = this.buffered.shift()
          if (text !== undefined) return { value: text, done: false }
          if (this.error) throw this.error
          if (this.done) return { value: undefined, done: true }
          await new Promise<void>((resolve) => (this.wake = resolve))
        }
      },
      return: async (): Promise<IteratorResult<string>> => {
        if (!this.done) this.onStop()
        this.done = true
        this.buffered.length = 0
        return { value: undefined, done: true }
      },
    }
  }
}
