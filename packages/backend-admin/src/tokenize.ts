import { AdminError } from './errors.js'

/**
 * Split a command line into words, shell-like: whitespace separates; `"a b"` and `'a b'` group;
 * a backslash escapes the next character outside single quotes (`a\ b`, `"say \"hi\""`).
 * Single quotes take everything literally. An unterminated quote is an error.
 */
export function tokenize(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote === "'") {
      if (ch === "'") quote = undefined
      else word += ch
      continue
    }
    if (ch === '\\') {
      const next = line[i + 1]
      if (next === undefined) throw new AdminError('QUOTE_UNTERMINATED', 'line ends with a lone backslash')
      word += next
      inWord = true
      i++
      continue
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined
      else word += ch
      continue
    }
    if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) throw new AdminError('QUOTE_UNTERMINATED', `unterminated ${quote === '"' ? 'double' : 'single'} quote`)
  if (inWord) words.push(word)
  return words
}

/** `key=value` words into a list of pairs (order kept, keys may repeat); other words are refused. */
export function keyValues(words: readonly string[], allowed: readonly string[]): Array<[string, string]> {
  return words.map((w) => {
    const eq = w.indexOf('=')
    const key = eq > 0 ? w.slice(0, eq) : ''
    if (!allowed.includes(key)) {
      throw new AdminError('ARGUMENT_INVALID', `expected ${allowed.map((k) => `${k}=<…>`).join(' or ')}, not '${w}'`)
    }
    const value = w.slice(eq + 1)
    if (value === '') throw new AdminError('ARGUMENT_INVALID', `${key}= needs a value`)
    return [key, value]
  })
}
