import { createHash } from 'node:crypto'
import type { BlobDriver, VerifyProblem, VerifyReport } from './types'
import type { Tree } from './tree'
import { commitIdOf } from './commit-record'
import { hexDigest } from './digest'

/** Check a store without changing it: blob contents, tree entries and the commit chain. */
export async function verifyStore(tree: Tree, blobs: BlobDriver, opts: { rehash?: boolean } = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = []
  let blobsChecked = 0
  let entriesChecked = 0
  let commitsChecked = 0

  if (opts.rehash !== false) {
    for await (const digest of blobs.list()) {
      blobsChecked++
      const hash = createHash('sha256')
      for await (const chunk of await blobs.read(digest)) hash.update(chunk as Buffer)
      const actual = hexDigest(hash.digest('hex'))
      if (actual !== digest) problems.push({ kind: 'blob-corrupt', digest, detail: `blob ${digest} hashes to ${actual}` })
    }
  }

  for await (const [path, entry] of tree.entries()) {
    entriesChecked++
    const stat = await blobs.stat(entry.digest)
    if (!stat) problems.push({ kind: 'tree-dangling', path, digest: entry.digest, detail: `'${path}' names missing blob ${entry.digest}` })
    else if (stat.size !== entry.size) {
      problems.push({ kind: 'blob-size', path, digest: entry.digest, detail: `'${path}' says ${entry.size} bytes, blob has ${stat.size}` })
    }
  }

  let previous: string | null = null
  let expectedSeq = 1
  for await (const record of tree.records()) {
    commitsChecked++
    const { id, ...rest } = record
    if (commitIdOf(rest) !== id) problems.push({ kind: 'commit-broken', detail: `commit #${record.seq} does not hash to its id ${id}` })
    if (record.parent !== previous) problems.push({ kind: 'commit-broken', detail: `commit #${record.seq} names parent ${record.parent}, expected ${previous}` })
    if (record.seq !== expectedSeq) problems.push({ kind: 'commit-broken', detail: `commit #${record.seq} found where #${expectedSeq} was expected` })
    previous = id
    expectedSeq = record.seq + 1
  }

  return { ok: problems.length === 0, blobsChecked, entriesChecked, commitsChecked, problems }
}
