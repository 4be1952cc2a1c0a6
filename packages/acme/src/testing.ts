// Test helpers (subpath `@everlock/acme/testing`): Debian's pebble (an ACME test server) and pebble-challtestsrv (its DNS: every name → 127.0.0.1), started as
// processes on loopback ports for one test file.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeFetch } from './http.js'

export interface Pebble {
  readonly directoryUrl: string
  /** Trust for pebble's own HTTPS listener. */
  readonly ca: string
  /** The root that signs issued certificates (from pebble's management API). */
  root(): Promise<string>
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-2000)}`)), timeoutMs)
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString()
      if (pattern.test(seen)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited with ${code}: ${seen.slice(-2000)}`))
    })
  })
}

/** Starts pebble validating HTTP-01 against `httpPort` on 127.0.0.1. */
export async function startPebble(httpPort: number): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'everlock-pebble-'))
  const [acmePort, mgmtPort, dnsPort] = [await freePort(), await freePort(), await freePort()]
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=pebble',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort,
      tlsPort: await freePort(),
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }))
  const dns = spawn('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${await freePort()}`], { stdio: ['ignore', 'pipe', 'pipe'] })
  await waitForLine(dns, /Starting challenge servers|DNS server|dns/i, 'pebble-challtestsrv')
  const pebble = spawn('pebble', ['-config', join(dir, 'config.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  })
  await waitForLine(pebble, /Listening on|ACME directory available/i, 'pebble')
  const ca = readFileSync(join(dir, 'cert.pem'), 'utf8')
  const fetch = nodeFetch({ ca })
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    ca,
    async root() {
      return (await fetch(`https://127.0.0.1:${mgmtPort}/roots/0`, { method: 'GET' })).body.toString('utf8')
    },
    async stop() {
      for (const child of [pebble, dns]) {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r))
          child.kill('SIGTERM')
          await exited
        }
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
