// The one side-by-side table: median of each figure over the rounds, both servers, and the ratio.
export type Direction = 'higher' | 'lower'

export interface Metric {
  readonly key: string
  readonly label: string
  readonly unit: string
  readonly better: Direction
}

export type Samples = Record<string, Record<string, number[]>>

export interface Row {
  readonly key: string
  readonly label: string
  readonly unit: string
  readonly better: Direction
  readonly distribution: number | null
  readonly everlock: number | null
  /** everlock / distribution */
  readonly ratio: number | null
}

export function median(values: readonly number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (finite.length === 0) return null
  const mid = finite.length >> 1
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2
}

export function rows(metrics: readonly Metric[], samples: Samples): Row[] {
  return metrics.map((m) => {
    const distribution = median(samples.distribution?.[m.key] ?? [])
    const everlock = median(samples.everlock?.[m.key] ?? [])
    const ratio = distribution && everlock !== null ? everlock / distribution : null
    return { ...m, distribution, everlock, ratio }
  })
}

function fmt(v: number | null): string {
  if (v === null) return '—'
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

export function markdown(table: readonly Row[]): string {
  const lines = [
    '| figure | unit | distribution | everlock | everlock / distribution |',
    '|---|---|---:|---:|---:|',
    ...table.map((r) => `| ${r.label} | ${r.unit} (${r.better} is better) | ${fmt(r.distribution)} | ${fmt(r.everlock)} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} |`),
  ]
  return lines.join('\n')
}
