import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { utils } from './ssh2.js'
import { SshError } from './errors.js'
import { fingerprintOf, generateEd25519OpenSsh } from './openssh-key.js'

export interface HostKey {
  /** The private key text as ssh2 takes it. */
  readonly privateKey: string
  /** `SHA256:…`, what clients see on first connect. */
  readonly fingerprint: string
}

/**
 * Read the host key at `path`, or create an ed25519 one there (mode 0600) on first start. A restart keeps
 * the same key and so the same fingerprint.
 */
export async function loadOrCreateHostKey(path: string): Promise<HostKey> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SshError('HOST_KEY_UNREADABLE', `cannot read host key ${path}`, { cause: err })
    await mkdir(dirname(path), { recursive: true })
    const fresh = generateEd25519OpenSsh()
    try {
      await writeFile(path, fresh.privateKey, { mode: 0o600, flag: 'wx' })
      await chmod(path, 0o600)
      text = fresh.privateKey
    } catch (raced) {
      // another process created it first: use theirs
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw new SshError('HOST_KEY_UNREADABLE', `cannot write host key ${path}`, { cause: raced })
      text = await readFile(path, 'utf8')
    }
  }
  const parsed = utils.parseKey(text)
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new SshError('HOST_KEY_INVALID', `host key ${path} is not a private key ssh2 can read`)
  }
  return { privateKey: text, fingerprint: fingerprintOf(parsed.getPublicSSH()) }
}
