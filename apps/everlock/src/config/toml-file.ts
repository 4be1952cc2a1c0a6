import { readFile } from 'node:fs/promises'
import { parse, TomlError } from 'smol-toml'
import { EverlockError } from '../errors.js'
import { Problems } from './problems.js'

/** A config file's text, or undefined when it does not exist; any other read error is CONFIG_INVALID naming the file. */
export async function readConfigFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new EverlockError('CONFIG_INVALID', `cannot read ${file}`, {
      cause: err,
      problems: [{ file, key: '(file)', expected: `a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }],
    })
  }
}

/**
 * parse → normalise → validate of one TOML file: `check` normalises the document and adds every problem it
 * finds; a syntax error or any problem is one CONFIG_INVALID listing them all.
 */
export function parseConfig<T>(text: string, file: string, check: (doc: unknown, problems: Problems) => T): T {
  const problems = new Problems(file)
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    problems.add(`(syntax, line ${err.line} column ${err.column})`, `valid TOML: ${err.message.split('\n')[0]}`)
    throw invalid(problems)
  }
  const config = check(doc, problems)
  if (!problems.empty) throw invalid(problems)
  return config
}

function invalid(problems: Problems): EverlockError {
  const n = problems.list.length
  return new EverlockError('CONFIG_INVALID', `${problems.file}: ${n} problem${n === 1 ? '' : 's'}`, { problems: problems.list })
}
