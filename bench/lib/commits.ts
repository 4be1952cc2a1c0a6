// Store commits made by one image push, read from the store's log through the admin console
// (`/store log <store>` over the real OpenSSH client).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PASSWORD, USER, type RunningServer } from './servers.js'

const run = promisify(execFile)

export async function storeLog(sshPort: number, store: string): Promise<string> {
  // prettier-ignore
  const { stdout } = await run('sshpass', ['-p', PASSWORD, 'ssh', '-p', String(sshPort),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'PubkeyAuthentication=no', `${USER}@127.0.0.1`, `/store log ${store}`], { timeout: 30_000, maxBuffer: 64 << 20 })
  return stdout
}

/** Log lines that name the repository (commit messages say which repository and tag were pushed). */
export async function commitsMentioning(server: RunningServer & { sshPort?: number }, store: string, repo: string): Promise<number> {
  if (server.sshPort === undefined) return Number.NaN
  const log = await storeLog(server.sshPort, store)
  return log.split('\n').filter((line) => line.includes(repo)).length
}

/** Commits the image push to `repo` made: the store log's entries naming that repository. */
export async function commitsPerPush(server: RunningServer & { sshPort?: number }, repo: string): Promise<number> {
  try {
    return await commitsMentioning(server, 'bench', repo)
  } catch (err) {
    process.stderr.write(`commits per push: ${(err as Error).message}\n`)
    return Number.NaN
  }
}
