// Store commits, read from the store's log through the admin console (`/store log <store> <limit>` over the
// real OpenSSH client). Each commit is one line: `<12 hex id> <time> <author> <message>`.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PASSWORD, USER } from './servers.js'

const run = promisify(execFile)

export async function storeLog(sshPort: number, store: string): Promise<string[]> {
  // prettier-ignore
  const { stdout } = await run('sshpass', ['-p', PASSWORD, 'ssh', '-p', String(sshPort),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'PubkeyAuthentication=no', `${USER}@127.0.0.1`, `/store log ${store} 999999999`], { timeout: 60_000, maxBuffer: 256 << 20 })
  return stdout.split('\n').filter((line) => /^[0-9a-f]{12} /.test(line))
}

/** The number of commits in the store, or NaN (with a note on stderr) when the log cannot be read. */
export async function commitCount(sshPort: number | undefined, store: string): Promise<number> {
  if (sshPort === undefined) return Number.NaN
  try {
    return (await storeLog(sshPort, store)).length
  } catch (err) {
    process.stderr.write(`store log: ${(err as Error).message}\n`)
    return Number.NaN
  }
}
