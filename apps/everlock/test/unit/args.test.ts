import { describe, expect, it } from 'vitest'
import { parseServeArgs } from '../../src/args.js'
import { isEverlockError } from '../../src/errors.js'

const SEED =
  'serve --frontend-http --frontend-http-listen-http 127.0.0.1:8080 --backend-admin-ssh --backend-oci-http --backend-oci-http-vhost localhost --backend-oci-http-store everlock-oci-local --admin-user admin --admin-password change-me'

function usageError(argv: string[], env = {}): string {
  try {
    parseServeArgs(argv, env, '/srv')
  } catch (err) {
    if (isEverlockError(err, 'USAGE')) return err.message
    throw err
  }
  throw new Error('no error')
}

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
    })
  })

  it('takes the admin password from EVERLOCK_ADMIN_PASSWORD, an empty metrics address, and --help', () => {
    const parsed = parseServeArgs(['serve', '--admin-user', 'root', '--metrics-listen', '', '--data-dir', 'd'], { EVERLOCK_ADMIN_PASSWORD: 'pw' }, '/x')
    expect(parsed).toMatchObject({ options: { admin: { user: 'root', password: 'pw' }, metricsListen: '', dataDir: '/x/d' } })
    expect(parseServeArgs(['serve', '--help'])).toEqual({ help: true })
  })

  it('refuses unknown flags, missing values, inconsistent combinations — without echoing the password', () => {
    expect(usageError(['serve', '--frontend-htp'])).toMatch(/--frontend-htp/)
    expect(usageError(['serve', '--data-dir'])).toMatch(/data-dir/)
    expect(usageError(['serve', 'extra'])).toMatch(/extra/)
    expect(usageError(['start'])).toMatch(/unknown command/)
    expect(usageError(['serve', '--backend-oci-http'])).toMatch(/needs --frontend-http/)
    expect(usageError(['serve', '--frontend-http', '--backend-oci-http', '--backend-oci-http-vhost', 'a:1'])).toMatch(/vhost/)
    expect(usageError(['serve', '--admin-user', 'admin'])).toMatch(/--admin-password/)
    const msg = usageError(['serve', '--admin-password', 's3cret-pw'])
    expect(msg).toMatch(/needs --admin-user/)
    expect(msg).not.toContain('s3cret-pw')
  })

  it('turns zero-copy blob bodies off with --frontend-http-zero-copy off; other values are refused', () => {
    expect(parseServeArgs(['serve', '--frontend-http', '--frontend-http-zero-copy', 'off'])).toMatchObject({ options: { http: { zeroCopy: false } } })
    const on = parseServeArgs(['serve', '--frontend-http', '--frontend-http-zero-copy', 'on'])
    expect(on.help === false && on.options.http?.zeroCopy).toBeUndefined()
    expect(usageError(['serve', '--frontend-http', '--frontend-http-zero-copy', 'maybe'])).toMatch(/expected on or off/)
    expect(usageError(['serve', '--frontend-http-zero-copy', 'off'])).toMatch(/needs --frontend-http/)
  })

  it('--frontend-http-listen-https: HTTPS alone, or next to plain HTTP; bad addresses refused', () => {
    expect(parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '0.0.0.0:443'])).toMatchObject({ options: { http: { listenHttps: '0.0.0.0:443' } } })
    const alone = parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '[::1]:8443'])
    expect(alone.help === false && alone.options.http?.listen).toBeUndefined()
    const both = parseServeArgs(['serve', '--frontend-http', '--frontend-http-listen-https', '127.0.0.1:8443', '--frontend-http-listen-http', '127.0.0.1:8080'])
    expect(both).toMatchObject({ options: { http: { listen: '127.0.0.1:8080', listenHttps: '127.0.0.1:8443' } } })
    expect(usageError(['serve', '--frontend-http', '--frontend-http-listen-https', '8443'])).toMatch(/--frontend-http-listen-https: expected host:port/)
    expect(usageError(['serve', '--frontend-http', '--frontend-http-listen-https', '127.0.0.1:99999'])).toMatch(/listen-https/)
    expect(usageError(['serve', '--frontend-http-listen-https', '127.0.0.1:8443'])).toMatch(/needs --frontend-http/)
  })
})
