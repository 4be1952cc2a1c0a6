import { spawn, type ChildProcess } from 'node:child_process'

/** Run a TypeScript server script in its own Node process (tsx) and wait for the `port <n>` line it prints. */
export async function spawnServer(script: string, args: readonly string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    proc.stdout!.on('data', (c: Buffer) => {
      out += c
      const m = /port (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)))
  })
  return { proc, port }
}
