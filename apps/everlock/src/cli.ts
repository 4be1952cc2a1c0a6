#!/usr/bin/env node
// Signals are caught before the (slower) imports load, so a SIGTERM during start-up still ends in a clean stop.
const early: NodeJS.Signals[] = []
const hold = (signal: NodeJS.Signals): void => void early.push(signal)
process.on('SIGTERM', hold)
process.on('SIGINT', hold)

export {}

// Everything the server creates (stores, blobs, uploads, config files) is its own: 0600 files, 0700 directories.
process.umask(0o077)

const { main } = await import('./main.js')
const terminal = () => (process.stdin.isTTY && process.stderr.isTTY ? { input: process.stdin, output: process.stderr } : undefined)
main(process.argv.slice(2), process.env, () => early[0], terminal).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`everlock: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
