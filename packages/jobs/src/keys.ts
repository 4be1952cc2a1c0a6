import { randomBytes } from 'node:crypto'
import type { JobState } from './types.js'

// LevelDB key layout (utf8 keys, JSON values):
//   job!<id>                       → the job record
//   key!<key>                      → id (idempotency)
//   st!<state>!<id>                → '' (jobs by state, in id order)
//   due!<kind>!<runAt ms, 15 digits>!<id> → '' (queued jobs of a kind by due time)
// '!' sorts below every character allowed in a kind, and ids are fixed-width, so ranges stay exact.

export const jobKey = (id: string): string => `job!${id}`
export const idemKey = (key: string): string => `key!${key}`
export const stateKey = (state: JobState, id: string): string => `st!${state}!${id}`
export const statePrefix = (state: JobState): string => `st!${state}!`
export const duePrefix = (kind: string): string => `due!${kind}!`
export const dueKey = (kind: string, at: number, id: string): string => `due!${kind}!${pad(at)}!${id}`

export function pad(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0')
}

/** Parse the due time out of a due key. */
export function dueTime(key: string): number {
  const parts = key.split('!')
  return Number(parts[parts.length - 2])
}

/** The id out of a due or state key. */
export function idOf(key: string): string {
  return key.slice(key.lastIndexOf('!') + 1)
}

let last = 0
let counter = 0

/** Ids sort by creation time: 9 base-36 chars of ms, 4 of a per-process counter, 8 random hex. */
export function newId(now: number): string {
  if (now === last) counter++
  else {
    last = now
    counter = 0
  }
  return now.toString(36).padStart(9, '0') + (counter % 36 ** 4).toString(36).padStart(4, '0') + randomBytes(4).toString('hex')
}
