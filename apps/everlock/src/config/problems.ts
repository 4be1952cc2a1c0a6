import type { ConfigProblem } from '../errors.js'

/** Collects every problem of one file instead of stopping at the first. */
export class Problems {
  readonly list: ConfigProblem[] = []
  constructor(readonly file: string) {}

  add(key: string, expected: string): void {
    this.list.push({ file: this.file, key, expected })
  }

  get empty(): boolean {
    return this.list.length === 0
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'a table'
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value)
  return `${typeof value} ${String(value)}`
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}
