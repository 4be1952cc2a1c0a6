import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import type { Store } from '@everlock/versioned-storage'

export interface Ack {
  index: number
  digest: string
  size: number
  commit: string
}

/**
 * Run a writer child (`node --import tsx <script> ...args`) and SIGKILL it `killAt(line)` ms after a stdout line
 * for which `killAt` gives a delay (each such line sets a timer, the first to fire kills); returns every line it
 * printed. Waits for 'close', not 'exit':
 * a line the child wrote just before the kill is still in the pipe when it exits, and it counts.
 */
export function runUntilKilled(script: string, args: readonly string[], killAt: (line: string) => number | undefined): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: string[] = []
    let buffered = ''
    let stderr = ''
    proc.stderr.on('data', (d) => (stderr += d))
    proc.stdout.on('data', (data: Buffer) => {
      buffered += data.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        lines.push(line)
        const delay = killAt(line)
        if (delay !== undefined) setTimeout(() => proc.kill('SIGKILL'), delay)
      }
    })
    proc.on('error', reject)
    proc.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`))
      else resolve(lines)
    })
  })
}

/**
 * Run a writer child that prints READY and then `ACK <i> <digest> <size> <commit>` per finished commit; SIGKILL
 * it `killAfterMs()` after READY and return what it acknowledged.
 */
export async function runAndKill(script: string, args: readonly string[], killAfterMs: () => number): Promise<Ack[]> {
  const acks: Ack[] = []
  for (const line of await runUntilKilled(script, args, (l) => (l === 'READY' ? killAfterMs() : undefined))) {
    const m = /^ACK (\d+) (\S+) (\d+) (\S+)$/.exec(line)
    if (m) acks.push({ index: Number(m[1]), digest: m[2]!, size: Number(m[3]), commit: m[4]! })
  }
  return acks
}

/** Every acknowledged commit is there with its entry, and the last acknowledged blob reads back whole. */
export async function expectAcknowledged(store: Store, acknowledged: readonly Ack[]): Promise<void> {
  for (const ack of acknowledged) {
    expect(await store.getCommit(ack.commit), `commit of item ${ack.index}`).toBeDefined()
    expect(await store.get(`items/${ack.index}`)).toEqual({ digest: ack.digest, size: ack.size })
  }
  const last = acknowledged.at(-1)
  if (last) {
    const hash = createHash('sha256')
    for await (const chunk of await store.getBlob(last.digest)) hash.update(chunk as Buffer)
    expect(`sha256:${hash.digest('hex')}`).toBe(last.digest)
  }
}
