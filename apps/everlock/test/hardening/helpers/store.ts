// The store's own view, through the admin console: its newest commit (HEAD) and its log.
import { STORE, type Everlock } from './serve.js'

/** The newest line of `/store log <store>` — changes exactly when a commit is made. */
export async function storeHead(ev: Everlock, store = STORE): Promise<string> {
  const out = await ev.console(`/store log ${store}`)
  return out.split('\n').find((line) => line.trim() !== '') ?? ''
}

/** The number of commits `/store log` lists. */
export async function storeCommits(ev: Everlock, store = STORE): Promise<number> {
  const out = await ev.console(`/store log ${store}`)
  return out.split('\n').filter((line) => /^[0-9a-f]{7,}/i.test(line.trim())).length
}

const PROBLEM_KINDS = /blob-corrupt|blob-missing|blob-size|tree-dangling|commit-broken/

/** `/store verify <store>`: the problem lines it reports (the VerifyProblem kinds), and its whole output. */
export async function verifyStore(ev: Everlock, store = STORE): Promise<{ problems: string[]; output: string }> {
  const output = await ev.console(`/store verify ${store}`)
  if (output.trim() === '') throw new Error('/store verify printed nothing')
  return { problems: output.split('\n').filter((line) => PROBLEM_KINDS.test(line)), output }
}
