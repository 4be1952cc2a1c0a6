import type { Problems } from './config/problems.js'

/** One command-line option: a switch, or one that takes a value (`arg` names it in `--help`). */
export interface FlagSpec {
  readonly type: 'boolean' | 'string'
  readonly arg?: string
  readonly short?: string
}

export type FlagValues = Record<string, string | boolean | undefined>

/**
 * `--name value`, `--name=value`, `--switch`, `-h` → values; every mistake is added to `problems` keyed by the
 * flag it concerns. A value may start with `-` (`--frontend-http-login-throttle-ms -5` is the value `-5`, to be
 * judged by its flag) unless it is itself one of the flags, which means the value was left out. Arguments are
 * numbered from `serve` (argument 1). Repeated flags:
 * the last one counts. Values are never repeated in a problem (one of them may be a password).
 */
export function parseFlags(args: readonly string[], spec: Readonly<Record<string, FlagSpec>>, problems: Problems): FlagValues {
  const values: FlagValues = {}
  const byShort = new Map<string, string>(Object.entries(spec).flatMap(([name, s]) => (s.short ? [[`-${s.short}`, name] as const] : [])))
  const isFlag = (arg: string): boolean => byShort.has(arg) || (arg.startsWith('--') && arg.slice(2).split('=', 1)[0]! in spec)

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const short = byShort.get(arg)
    if (short !== undefined) {
      values[short] = true
      continue
    }
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      problems.add(`argument ${i + 2}`, 'an option (everlock serve takes no other arguments)')
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : ''
    const flag = `--${name}`
    const s = spec[name]
    if (!s) {
      const near = nearest(name, Object.keys(spec))
      problems.add(shown(arg.slice(0, eq < 0 ? undefined : eq)), `one of the options of 'everlock serve --help'${near ? ` (did you mean --${near}?)` : ''}`)
      continue
    }
    if (s.type === 'boolean') {
      if (eq >= 0) problems.add(flag, 'no value: it is a switch, given on its own')
      else values[name] = true
      continue
    }
    if (eq >= 0) values[name] = arg.slice(eq + 1)
    else if (i + 1 < args.length && !isFlag(args[i + 1]!)) values[name] = args[++i]!
    else problems.add(flag, `a value: ${flag} ${s.arg ?? '<value>'}`)
  }
  return values
}

/** An argument as it may appear in a message: printable, at most 40 characters. */
function shown(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?')
  return clean.length > 40 ? `${clean.slice(0, 37)}...` : clean
}

/** The known name closest to a mistyped one (at most 2 edits, or a unique prefix), if any. */
function nearest(name: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((k) => name.length >= 3 && k.startsWith(name))
  if (prefixed.length === 1) return prefixed[0]
  let best: { name: string; d: number } | undefined
  for (const k of known) {
    const d = distance(name, k)
    if (d <= 2 && (!best || d < best.d)) best = { name: k, d }
  }
  return best?.name
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}
