import { watch, type FSWatcher } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { checkKeyPair } from '@everlock/acme'
import type { ConfigProblem } from '../errors.js'
import { normaliseVhost } from '../names.js'

/** One certificate found in the directory: `<host>.pem` (chain, leaf first) with `<host>.key`. */
export interface CertificateFile {
  /** `photos.example.org`, `*.example.org` (from `_.example.org.pem`), or `default`. */
  readonly host: string
  readonly cert: string
  readonly key: string
  /** The certificate file, for messages. */
  readonly source: string
}

export interface CertificateDir {
  readonly certificates: CertificateFile[]
  /** Pairs that could not be used, each naming its file. */
  readonly problems: ConfigProblem[]
  /** Every host with a `.pem` file in the directory, usable or not (a reload keeps the old certificate of a bad one). */
  readonly hosts: string[]
}

const DEFAULT = 'default'

/** The host a file stem stands for, or undefined for a stem that is no host. */
function hostOf(stem: string): string | undefined {
  if (stem === DEFAULT) return DEFAULT
  if (stem.startsWith('_.')) {
    const base = normaliseVhost(stem.slice(2))
    return base && !base.startsWith('[') ? `*.${base}` : undefined
  }
  return normaliseVhost(stem)
}

/**
 * Reads every `<host>.pem` + `<host>.key` pair of `dir` (a missing directory has none). A pair with a missing
 * key, an unparsable file or a key that does not match is a problem naming the file; the others load.
 */
export async function readCertificateDir(dir: string): Promise<CertificateDir> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { certificates: [], problems: [], hosts: [] }
    return { certificates: [], hosts: [], problems: [{ file: dir, key: '(directory)', expected: `a readable directory (${(err as NodeJS.ErrnoException).code ?? 'error'})` }] }
  }
  const certificates: CertificateFile[] = []
  const problems: ConfigProblem[] = []
  const hosts: string[] = []
  for (const name of names.filter((n) => n.endsWith('.pem')).sort()) {
    const stem = name.slice(0, -'.pem'.length)
    const source = join(dir, name)
    const host = hostOf(stem)
    if (!host) {
      problems.push({ file: source, key: '(file name)', expected: 'a file named <host>.pem, _.<domain>.pem for *.<domain>, or default.pem' })
      continue
    }
    hosts.push(host)
    let cert: string
    let key: string
    try {
      cert = await readFile(source, 'utf8')
    } catch (err) {
      problems.push({ file: source, key: '(file)', expected: `a readable certificate (${(err as NodeJS.ErrnoException).code ?? 'error'})` })
      continue
    }
    const keyFile = join(dir, `${stem}.key`)
    try {
      key = await readFile(keyFile, 'utf8')
    } catch (err) {
      problems.push({ file: keyFile, key: '(file)', expected: `the private key of ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'})` })
      continue
    }
    try {
      checkKeyPair(cert, key, source)
    } catch (err) {
      problems.push({ file: source, key: '(certificate)', expected: `a PEM certificate chain whose key is ${stem}.key (${(err as Error).message.replace(`${source}: `, '')})` })
      continue
    }
    certificates.push({ host, cert, key, source })
  }
  return { certificates, problems, hosts }
}

/** Calls `onChange` (debounced) when files in `dir` change; the directory is created by the caller. */
export function watchCertificateDir(dir: string, onChange: () => void, debounceMs = 300): { close(): void } {
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dir, () => {
      clearTimeout(timer)
      timer = setTimeout(onChange, debounceMs)
      timer.unref()
    })
    watcher.on('error', () => undefined)
  } catch {
    watcher = undefined
  }
  return {
    close() {
      clearTimeout(timer)
      watcher?.close()
    },
  }
}
