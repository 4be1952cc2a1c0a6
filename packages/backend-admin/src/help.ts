import { AdminError } from './errors.js'
import { columns } from './format.js'
import { usageOf, type Command } from './table.js'

/** `/help`: every command, one line each; `/help users` or `/help users key add`: the matching ones. */
export function helpText(commands: readonly Command[], topic: readonly string[], features: { readonly ai: boolean }): string[] {
  const words = topic.map((w, i) => (i === 0 ? w.replace(/^\//, '') : w).toLowerCase())
  const matching = commands.filter((c) => words.every((w, i) => c.words[i] === w))
  if (matching.length === 0) throw new AdminError('UNKNOWN_COMMAND', `no help for '${topic.join(' ')}' (try /help)`)
  const lines = columns(matching.map((c) => [usageOf(c), `${c.summary}${c.open ? '' : ' [admin]'}`]))
  if (words.length > 0) return lines
  return [
    ...lines,
    '',
    '[admin] commands need owner on */*/*; everyone may run the others.',
    'Quote arguments with spaces: "a b" or \'a b\'.',
    ...(features.ai ? ['Text not starting with / goes to the AI model.'] : []),
  ]
}
