import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ssh, start, type Harness } from './helpers.js'

let h: Harness
beforeAll(async () => {
  h = await start()
})
afterAll(async () => h.close())

describe('hostile input', () => {
  it('refuses over-long lines and carries on', async () => {
    const r = await ssh(h.port, { args: ['-T'], stdin: `/users add ${'x'.repeat(20_000)} pw\n/users list\n` })
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('line too long (over 8192 bytes); ignored')
    expect(r.stdout).toMatch(/^admin\s/m)
    const exec = await ssh(h.port, { command: `/users list ${'y'.repeat(9000)}` })
    expect(exec).toMatchObject({ code: 1, stdout: 'line too long (over 8192 bytes); ignored\n' })
  })

  it('refuses control characters in commands, naming them, instead of dropping them', async () => {
    const r = await ssh(h.port, { args: ['-T'], stdin: '/users\x07 add bell\x01ringer\x1b pw\r\n/users list\n' })
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('control character U+0007 (Ctrl-G) at position 7 refused; nothing was run')
    expect(await h.auth.hasUser('bellringer')).toBe(false)
    expect(r.stdout).toMatch(/^admin\s/m)
  })

  it('survives binary garbage and unknown commands', async () => {
    const garbage = Buffer.alloc(64 * 1024)
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256
    const r = await ssh(h.port, { args: ['-T'], stdin: Buffer.concat([garbage, Buffer.from('\n/help users\n')]) })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('/users add <name> <password>')
  })

  it('handles 1,000 commands sent at once while another session stays responsive', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => (i % 2 ? '/store list' : '/nosuch')).join('\n') + '\n'
    const t0 = Date.now()
    const flood = ssh(h.port, { args: ['-T'], stdin: lines })
    const t1 = Date.now()
    const other = await ssh(h.port, { command: '/users list' })
    const otherMs = Date.now() - t1
    expect(other.code).toBe(0)
    expect(other.stdout).toMatch(/^admin\s/m)
    const r = await flood
    const floodMs = Date.now() - t0
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n').filter((l) => l === 'everlock-system')).toHaveLength(500)
    expect(r.stdout.split('\n').filter((l) => l.startsWith("unknown command '/nosuch'"))).toHaveLength(500)
    console.log(`1,000 commands over one session: ${floodMs} ms; a concurrent exec took ${otherMs} ms`)
  })
})
