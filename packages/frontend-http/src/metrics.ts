/** A tiny Prometheus registry: labelled counters, histograms and callback values, text format 0.0.4. */

type Labels = Record<string, string>

interface Family {
  render(): string
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`
}

const formatNumber = (n: number): string => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN')

export class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = JSON.stringify(labels)
    const s = this.series.get(key)
    if (s) s.value += by
    else this.series.set(key, { labels, value: by })
  }

  get(labels: Labels): number {
    return this.series.get(JSON.stringify(labels))?.value ?? 0
  }

  render(): string {
    let out = header(this.name, this.help, 'counter')
    for (const s of this.series.values()) out += `${this.name}${labelText(s.labels)} ${formatNumber(s.value)}\n`
    return out
  }
}

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels)
    let s = this.series.get(key)
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }))
    const i = this.buckets.findIndex((b) => value <= b)
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1
    s.sum += value
    s.count++
  }

  render(): string {
    let out = header(this.name, this.help, 'histogram')
    for (const s of this.series.values()) {
      let cumulative = 0
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i] ?? 0
        out += `${this.name}_bucket${labelText(s.labels, ['le', formatNumber(b)])} ${cumulative}\n`
      })
      out += `${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}\n`
      out += `${this.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}\n`
      out += `${this.name}_count${labelText(s.labels)} ${s.count}\n`
    }
    return out
  }
}

/** A value read when scraped (in-flight requests, RSS, cache hits). */
export class Sampled {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: 'gauge' | 'counter',
    private readonly read: () => number,
  ) {}

  render(): string {
    return `${header(this.name, this.help, this.type)}${this.name} ${formatNumber(this.read())}\n`
  }
}

export class MetricsRegistry {
  private readonly families: Family[] = []

  add<T extends Family>(family: T): T {
    this.families.push(family)
    return family
  }

  render(): string {
    return this.families.map((f) => f.render()).join('')
  }
}
