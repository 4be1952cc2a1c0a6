// `@everlock/versioned-storage/s3rver`: a real S3 endpoint for tests and benchmarks — s3rver (an optional peer
// dependency) started as its own Node process on a loopback port the OS picks, its data in a temp directory.
// `--openssl-legacy-provider`: s3rver's paginated ListObjectsV2 tokens need it on Node ≥ 17.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { s3Client } from './s3/client'

const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js')

/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface S3rver {
  readonly endpoint: string
  readonly port: number
  readonly dir: string
  client(overrides?: Parameters<typeof s3Client>[0]): S3Client
  createBucket(name: string): Promise<void>
  /** The keys under a prefix (all pages). */
  keys(bucket: string, prefix?: string): Promise<string[]>
  stop(): Promise<void>
}

export async function startS3rver(): Promise<S3rver> {
  const dir = await mkdtemp(join(tmpdir(), 'vs-s3rver-'))
  const proc: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '-s'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const onData = (d: Buffer): void => {
      out += d.toString()
      const m = /listening on [\d.]+:(\d+)/.exec(out)
      if (m) {
        proc.stdout!.off('data', onData)
        resolve(Number(m[1]))
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    proc.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${out}`)))
    proc.once('error', reject)
  })
  const endpoint = `http://127.0.0.1:${port}`
  const clients: S3Client[] = []
  const client = (overrides: Parameters<typeof s3Client>[0] = {}): S3Client => {
    const c = s3Client({ endpoint, credentials: S3RVER_CREDENTIALS, ...overrides })
    clients.push(c)
    return c
  }
  return {
    endpoint,
    port,
    dir,
    client,
    async createBucket(name) {
      await client().send(new CreateBucketCommand({ Bucket: name }))
    },
    async keys(bucket, prefix = '') {
      const out: string[] = []
      let token: string | undefined
      do {
        const page = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }))
        out.push(...(page.Contents ?? []).map((o) => o.Key!))
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return out
    },
    async stop() {
      for (const c of clients) c.destroy()
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
