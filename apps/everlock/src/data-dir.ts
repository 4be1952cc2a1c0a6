import { chmod, mkdir, stat } from 'node:fs/promises'
import { EverlockError } from './errors.js'
import type { Log } from './log.js'

/**
 * The data directory holds password hashes and every stored byte: it is created owner-only (0700), and an
 * existing one that other users can enter is made so (with a warning naming its old mode). A directory that
 * cannot be changed (not ours) fails with DATA_DIR_UNSAFE and the command to run. Below a 0700 directory
 * nothing is reachable by others, whatever the modes of older files in it.
 */
export async function ownerOnlyDataDir(dir: string, log: Log): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const mode = (await stat(dir)).mode & 0o777
  if ((mode & 0o077) === 0) return
  const octal = mode.toString(8)
  try {
    await chmod(dir, mode & 0o700)
  } catch (err) {
    throw new EverlockError('DATA_DIR_UNSAFE', `data dir ${dir} can be read by other users (mode ${octal}) and cannot be changed: run chmod 700 '${dir}'`, { cause: err })
  }
  log.warn(`data dir ${dir} could be read by other users (mode ${octal}); changed to ${(mode & 0o700).toString(8)}`)
}
