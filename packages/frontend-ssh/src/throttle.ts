/** Failed logins per remote address; each new failure waits longer before it is answered. */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; last: number }>()

  constructor(
    private readonly delayFor: (failures: number) => number = (n) => Math.min(250 * 2 ** (n - 1), 5000),
    private readonly forgetAfterMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a failure from `address`; returns how long to wait before answering it. */
  fail(address: string): number {
    const t = this.now()
    this.sweep(t)
    const cur = this.failures.get(address)
    const count = cur && t - cur.last < this.forgetAfterMs ? cur.count + 1 : 1
    this.failures.set(address, { count, last: t })
    return this.delayFor(count)
  }

  succeed(address: string): void {
    this.failures.delete(address)
  }

  private sweep(t: number): void {
    if (this.failures.size < 10_000) return
    for (const [addr, f] of this.failures) if (t - f.last >= this.forgetAfterMs) this.failures.delete(addr)
  }
}
