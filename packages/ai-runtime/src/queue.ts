// One fair queue in front of the single generation slot. Interactive requests go first; a waiting background
// request gets the slot after `backgroundEvery` interactive ones in a row, or once it has waited `maxWaitMs`,
// so a stream of prompts never starves captions. A request cancelled while waiting leaves the queue at once.
import type { Priority } from './types.js'

export interface QueueOptions {
  backgroundEvery: number
  maxWaitMs: number
}

interface Waiting {
  priority: Priority
  since: number
  start(): void
  fail(err: Error): void
}

export class FairQueue {
  private readonly interactive: Waiting[] = []
  private readonly background: Waiting[] = []
  private streak = 0
  private busy = 0
  private open = false

  constructor(private readonly options: QueueOptions) {}

  get sizes(): { running: number; interactive: number; background: number } {
    return { running: this.busy, interactive: this.interactive.length, background: this.background.length }
  }

  /** Lets requests run (the engine is ready). Until then they wait in order. */
  start(): void {
    this.open = true
    this.pump()
  }

  /**
   * Waits for the slot, then runs `task` holding it. Rejects with `onCancel()` if `signal` aborts first.
   * The slot is freed as soon as `task` settles.
   */
  run<T>(priority: Priority, signal: AbortSignal, onCancel: () => Error, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(onCancel())
      const lane = priority === 'interactive' ? this.interactive : this.background
      const entry: Waiting = {
        priority,
        since: Date.now(),
        start: () => {
          signal.removeEventListener('abort', cancel)
          this.busy++
          task()
            .then(resolve, reject)
            .finally(() => {
              this.busy--
              this.pump()
            })
        },
        fail: (err) => {
          signal.removeEventListener('abort', cancel)
          reject(err)
        },
      }
      const cancel = () => {
        const i = lane.indexOf(entry)
        if (i >= 0) lane.splice(i, 1)
        reject(onCancel())
      }
      signal.addEventListener('abort', cancel, { once: true })
      lane.push(entry)
      this.pump()
    })
  }

  /** Rejects every waiting request (the engine failed to load, or the runtime closed). */
  drain(reason: () => Error): void {
    for (const lane of [this.interactive, this.background]) {
      for (const entry of lane.splice(0)) entry.fail(reason())
    }
  }

  private pump(): void {
    if (!this.open || this.busy > 0) return
    const next = this.pick()
    next?.start()
  }

  private pick(): Waiting | undefined {
    const oldBackground = this.background[0]
    const due =
      oldBackground !== undefined &&
      (this.streak >= this.options.backgroundEvery || Date.now() - oldBackground.since >= this.options.maxWaitMs)
    if (this.interactive.length > 0 && !due) {
      if (this.background.length > 0) this.streak++
      return this.interactive.shift()
    }
    this.streak = 0
    return this.background.shift()
  }
}
