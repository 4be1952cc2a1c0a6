import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadStorageConfig, parseStorageConfig, targetOf } from '../../src/config/storage-config.js'
import { isEverlockError } from '../../src/errors.js'

function problemsOf(text: string): string[] {
  try {
    parseStorageConfig(text, 'storage.toml')
  } catch (err) {
    if (isEverlockError(err, 'CONFIG_INVALID')) return err.problems.map((p) => p.key)
    throw err
  }
  return []
}

describe('config/storage.toml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-storage-config-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a missing file keeps every store on the local disk', async () => {
    const config = await loadStorageConfig(join(dir, 'none.toml'))
    expect(config).toEqual({ targets: [], defaultTarget: 'local', stores: {} })
    expect(targetOf(config, 'everlock-oci-local')).toBeUndefined()
  })

  it('targets per store and for every store ("*"), with defaults normalised', async () => {
    const file = join(dir, 'storage.toml')
    writeFileSync(
      file,
      [
        '[s3.objects]',
        'endpoint = "http://127.0.0.1:9000"',
        'bucket = "everlock"',
        'prefix = "prod"',
        'redirect_gets = true',
        '[s3.aws]',
        'region = "eu-west-1"',
        'bucket = "everlock-archive"',
        'profile = "everlock"',
        'redirect_gets = true',
        'redirect_ttl_seconds = 60',
        '[stores]',
        '"*" = "objects"',
        '"everlock-system" = "local"',
        '"everlock-oci-archive" = "aws"',
      ].join('\n'),
    )
    const config = await loadStorageConfig(file)
    expect(config.targets).toEqual([
      { name: 'objects', endpoint: 'http://127.0.0.1:9000', bucket: 'everlock', prefix: 'prod/', redirectTtlSeconds: 300 },
      { name: 'aws', region: 'eu-west-1', bucket: 'everlock-archive', prefix: '', profile: 'everlock', redirectTtlSeconds: 60 },
    ])
    expect(targetOf(config, 'everlock-oci-local')?.name).toBe('objects')
    expect(targetOf(config, 'everlock-system')).toBeUndefined()
    expect(targetOf(config, 'everlock-oci-archive')?.name).toBe('aws')
  })

  it('lists every problem at once, each with its key', () => {
    const keys = problemsOf(
      [
        'extra = 1',
        '[s3.a]',
        'endpoint = "ftp://x"',
        'bucket = "Bad_Bucket"',
        'prefix = "/abs"',
        'path_style = "yes"',
        'secret_access_key = "never here"',
        '[s3.b]',
        'region = "us-east-1"',
        '[stores]',
        '"*" = "nowhere"',
        '"UPPER" = "a"',
      ].join('\n'),
    )
    expect(keys).toEqual([
      'extra',
      's3.a.secret_access_key',
      's3.a.endpoint',
      's3.a.bucket',
      's3.a.prefix',
      's3.a.path_style',
      's3.b.bucket',
      'stores.*',
      'stores.UPPER',
    ])
    expect(
      problemsOf(['[s3.a]', 'bucket = "abc"', 'redirect_gets = "yes"', 'redirect_ttl_seconds = 604801', '[s3.b]', 'bucket = "abc"', 'redirect_ttl_seconds = 60', '[s3.c]', 'bucket = "abc"', 'redirect_gets = true', 'redirect_ttl_seconds = 1.5'].join('\n')),
    ).toEqual(['s3.a.redirect_gets', 's3.a.redirect_ttl_seconds', 's3.b.redirect_ttl_seconds', 's3.c.redirect_ttl_seconds'])
    expect(problemsOf('[s3\n')).toEqual([expect.stringMatching(/^\(syntax/)])
  })
})
