import { createWriteStream } from 'node:fs'
import { mkdtemp, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { LibraryStore } from './types.js'

export interface LocalFile {
  readonly path: string
  release(): Promise<void>
}

/**
 * A local path holding a blob's bytes, for tools that read files (sharp, ffprobe): the store's own file when it
 * keeps one (held open meanwhile, so it is the very file even if renamed), else a private temp copy.
 */
export async function localFileOf(store: LibraryStore, digest: string, signal?: AbortSignal): Promise<LocalFile> {
  const file = await store.openBlobFile?.(digest)
  if (file) {
    const path = await readlink(`/proc/self/fd/${file.fd}`).catch(() => undefined)
    if (path?.startsWith('/') && !path.endsWith(' (deleted)')) return { path, release: () => file.close() }
    await file.close()
  }
  const dir = await mkdtemp(join(tmpdir(), 'everlock-image-'))
  const path = join(dir, 'original')
  try {
    await pipeline(await store.getBlob(digest), createWriteStream(path, { mode: 0o600 }), signal ? { signal } : {})
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return { path, release: () => rm(dir, { recursive: true, force: true }) }
}
