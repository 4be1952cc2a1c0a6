import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPTIONS, parseServeArgs, USAGE } from '../../src/args.js'
import { isEverlockError } from '../../src/errors.js'

const SEED =
  'serve --frontend-http --frontend-http-listen-http 127.0.0.1:8080 --backend-admin-ssh --backend-oci-http --backend-oci-http-vhost localhost --backend-oci-http-store everlock-oci-local --admin-user admin --admin-password change-me'

function usageError(argv: string[], env = {}): string {
  return refused(argv, env).message
}

function refused(argv: string[], env = {}) {
  try {
    parseServeArgs(argv, env, '/srv')
  } catch (err) {
    if (isEverlockError(err, 'USAGE')) return err
    throw err
  }
  throw new Error('no error')
}

/** The flags (or arguments) a refused command line names, one entry per problem. */
const keys = (argv: string[], env = {}): string[] => refused(argv, env).problems.map((p) => p.key)

describe('everlock serve flags', () => {
  it("parses the seed's exact command line, with defaults relative to the working directory", () => {
    expect(parseServeArgs(SEED.split(' '), {}, '/srv')).toEqual({
      help: false,
      options: {
        dataDir: '/srv/data',
        configDir: '/srv/config',
        metricsListen: '127.0.0.1:9464',
        http: { listen: '127.0.0.1:8080' },
        ssh: { listen: '127.0.0.1:2222' },
        oci: { bootstrap: { vhost: 'localhost', store: 'everlock-oci-local' } },
        admin: { user: 'admin', password: 'change-me' },
      },
      warnings: [expect.stringMatching(/EVERLOCK_ADMIN_PASSWORD/)],
    })
  })

  it('takes the admin password from EVERLOCK_ADMIN_PASSWORD, an empty metrics address, and --help', () => {
    const parsed = parseServeArgs(['serve', '--frontend-http', '--admin-user', 'root', '--metrics-listen', '', '--data-dir', 'd'], { EVERLOCK_ADMIN_PASSWORD: 'pw' }, '/x')
    expect(parsed).toMatchObject({ options: { admin: { user: 'root', password: 'pw' }, metricsListen: '', dataDir: '/x/d' }, warnings: [] })
    expect(parseServeArgs(['serve', '--help'])).toEqual({ help: true })
  })

  it('leaves a missing admin password to be asked for when the caller can prompt (a terminal)', () => {
    const parsed = parseServeArgs(['serve', '--backend-admin-ssh', '--admin-user', 'Admin'], {}, '/x', { canPrompt: true })
    expect(parsed).toMatchObject({ help: false, promptFor: 'Admin', warnings: [] })
    expect(parsed.help === false && parsed.options.admin).toBeUndefined()
    expect(parseServeArgs(['serve', '--admin-user', 'admin'], { EVERLOCK_ADMIN_PASSWORD: 'pw' }, '/x', { canPrompt: true })).not.toHaveProperty('promptFor')
    expect(keys(['serve', '--admin-user', 'admin'])).toEqual(['--admin-user']) // no terminal: said, not asked
  })

  it('refuses unknown flags, missing values, inconsistent combinations — without echoing the password', () => {
    expect(keys(['serve', '--frontend-htp'])).toEqual(['--frontend-htp'])
    expect(keys(['serve', '--data-dir'])).toEqual(['--data-dir'])
    expect(keys(['serve', 'extra'])).toEqual(['argument 2'])
    expect(keys(['start'])).toEqual(['argument 1'])
    expect(keys(['serve', '--backend-oci-http'])).toEqual(['--backend-oci-http'])
    expect(keys(['serve', '--frontend-http', '--backend-oci-http', '--backend-oci-http-vhost', 'a:1'])).toEqual(['--backend-oci-http-vhost'])
    expect(keys(['serve', '--admin-user', 'admin'])).toEqual(['--admin-user'])
    const err = refused(['serve', '--admin-password', 's3cret-pw'])
    expect(err.problems.map((p) => p.key)).toEqual(['--admin-password'])
    expect(err.message).not.toContain('s3cret-pw')
  })

  it('takes the per-user upload session cap for the registries; refuses other values and a cap without registries', () => {
    expect(parseServeArgs(['serve', '--frontend-http', '--backend-oci-http', '--backend-oci-http-max-uploads-per-user', '8'])).toMatchObject({ options: { oci: { maxUploadsPerUser: 8 } } })
    const fallback = parseServeArgs(['serve', '--frontend-http', '--backend-oci-http'])
    expect(fallback.help === false && fallback.options.oci).toEqual({})
    for (const bad of ['0', '-1', 'ten', '1.5', '1000000']) {
      expect(keys(['serve', '--frontend-http', '--backend-oci-http', `--backend-oci-http-max-uploads-per-user=${bad}`])).toEqual(['--backend-oci-http-max-uploads-per-user'])
    }
    expect(keys(['serve', '--backend-oci-http-max-uploads-per-user', '5'])).toEqual(['--backend-oci-http-max-uploads-per-user'])
  })

  it('turns zero-copy blob bodies off with --frontend-http-zero-copy off; other values are refused', () => {
    expect(parseServeArgs(['serve', '--frontend-http', '--frontend-http-zero-copy', 'off'])).toMatchObject({ options: { http: { zeroCopy: false } } })
    const on = parseServeArgs(['serve', '--frontend-http', '--frontend-http-zero-copy', 'on'])
    expect(on.help === false && on.options.http?.zeroCopy).toBeUndefined()
    expect(keys(['serve', '--frontend-http', '--frontend-http-zero-copy', 'maybe'])).toEqual(['--frontend-http-zero-copy'])
    expect(keys(['serve', '--frontend-http-zero-copy', 'off'])).toEqual(['--frontend-http-zero-copy'])
  })

  it('finds every mistake of the command line before anything starts, each named by its flag, exactly once', () => {
    const ssh = ['serve', '--frontend-http', '--backend-admin-ssh', '--admin-user', 'a', '--admin-password', 'pw']
    expect(keys([...ssh, '--frontend-ssh-listen', '127.0.0.1:99999'])).toEqual(['--frontend-ssh-listen'])
    expect(keys([...ssh, '--frontend-http-listen-http', 'nonsense'])).toEqual(['--frontend-http-listen-http'])
    expect(keys([...ssh, '--metrics-listen', '127.0.0.1'])).toEqual(['--metrics-listen'])
    expect(keys([...ssh, '--frontend-ssh-listen', '127.0.0.1:8080'])).toEqual(['--frontend-ssh-listen']) // the HTTP default
    expect(parseServeArgs([...ssh, '--frontend-ssh-listen', '127.0.0.1:0', '--frontend-http-listen-http', '127.0.0.1:0'])).toMatchObject({ help: false })
    // a negative number is the flag's (bad) value, not "ambiguous"; a flag where a value belongs is a missing value
    expect(keys(['serve', '--frontend-http', '--frontend-http-login-throttle-ms', '-5'])).toEqual(['--frontend-http-login-throttle-ms'])
    expect(usageError(['serve', '--frontend-http', '--frontend-http-login-throttle-ms', '-5'])).not.toMatch(/ambiguous/)
    expect(keys(['serve', '--admin-user', '--frontend-http'])).toEqual(['--admin-user'])
    expect(keys(['serve', '--frontend-http=yes'])).toEqual(['--frontend-http'])
    expect(keys(['serve', '--admin-user', 'Not A Name', '--admin-password', 'pw'])).toEqual(['--admin-user'])
    expect(keys(['serve', '--admin-user', 'anon', '--admin-password', 'pw'])).toEqual(['--admin-user'])
    expect(keys(['serve', '--data-dir', ''])).toEqual(['--data-dir'])
    // listen addresses of a frontend that is off would be ignored: said instead
    expect(keys(['serve', '--frontend-ssh-listen', '127.0.0.1:2222'])).toEqual(['--frontend-ssh-listen'])
    expect(keys(['serve', '--frontend-http-listen-http', '127.0.0.1:80'])).toEqual(['--frontend-http-listen-http'])
    // all at once, in one error
    expect(keys(['serve', '--frontend-htp', '--frontend-ssh-listen', 'x', '--backend-admin-ssh', 'extra'])).toEqual(['--frontend-htp', 'argument 6', '--frontend-ssh-listen'])
    expect(usageError(['serve', '--frontend-htp'])).toMatch(/did you mean --frontend-http\?/)
  })

  it('never repeats a stray argument or a password in its refusal', () => {
    const err = refused(['serve', '--admin-user', 'admin', 'hunter2-secret', '--admin-password=', '--admin-pasword=hunter2-secret'])
    expect(err.problems.map((p) => p.key)).toEqual(['argument 4', '--admin-pasword', '--admin-password'])
    expect(JSON.stringify(err.problems) + err.message).not.toContain('hunter2')
  })

  it("--help lists every option with its description in one column; the app README's table has every flag", () => {
    const lines = USAGE.split('\n').filter((l) => l.startsWith('  -'))
    expect(lines).toHaveLength(Object.keys(OPTIONS).length)
    const column = (l: string) => l.search(/\S\s{2,}\S/) + l.slice(l.search(/\S\s{2,}\S/)).search(/\s\S/) + 1
    expect(new Set(lines.map(column)).size).toBe(1)
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    for (const name of Object.keys(OPTIONS)) expect(readme).toContain(`| \`--${name}`)
  })

  it('--frontend-http-listen-https: HTTPS alone, or next to plain HTTP; bad addresses refused', () => {
    expect(parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '0.0.0.0:443'])).toMatchObject({ options: { http: { listenHttps: '0.0.0.0:443' } } })
    const alone = parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '[::1]:8443'])
    expect(alone.help === false && alone.options.http?.listen).toBeUndefined()
    const both = parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '127.0.0.1:8443', '--frontend-http-listen-http', '127.0.0.1:8080'])
    expect(both).toMatchObject({ options: { http: { listen: '127.0.0.1:8080', listenHttps: '127.0.0.1:8443' } } })
    expect(keys(['serve', '--frontend-http', '--frontend-http-listen-https', '8443'])).toEqual(['--frontend-http-listen-https'])
    expect(keys(['serve', '--frontend-http', '--frontend-http-listen-https', '127.0.0.1:99999'])).toEqual(['--frontend-http-listen-https'])
    expect(keys(['serve', '--frontend-http-listen-https', '127.0.0.1:8443'])).toEqual(['--frontend-http-listen-https'])
    expect(keys(['serve', '--frontend-http', '--frontend-http-listen-https', '127.0.0.1:8080', '--frontend-http-listen-http', '127.0.0.1:8080'])).toEqual(['--frontend-http-listen-https'])
  })
})
