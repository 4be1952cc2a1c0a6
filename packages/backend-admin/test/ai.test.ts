import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AI_GRANT, MAX_TOOL_ROUNDS } from '@everlock/backend-admin'
import { openConsole, scriptedAi, type Console } from './helpers.js'

// The model's turns are scripted here: what is under test is the console's side (grant, conversation,
// tool protocol, cancellation), never a model's words. The real model is exercised through `everlock serve`.
const by = { by: 'test' }
let c: Console
beforeAll(async () => {
  c = await openConsole()
  await c.auth.addUser('bob', 'pw-b', by)
  await c.auth.addUser('carol', 'pw-c', by)
  await c.auth.grant('bob', AI_GRANT, 'reader', by)
  await c.oci.create('web', { vhosts: ['web.test'], store: 'everlock-oci-web' }, { by: 'admin' })
})
afterAll(async () => c.close())

async function withAi<T>(ai: ReturnType<typeof scriptedAi>, body: (console: Console) => Promise<T>): Promise<T> {
  const other = await openConsole({ ai })
  try {
    return await body(other)
  } finally {
    await other.close()
  }
}

describe('AI in the console', () => {
  it('needs reader on ssh/ai/console: the admin has it through */*/*, others are refused', async () => {
    await withAi(scriptedAi([['yes'], ['no']]), async (o) => {
      await o.auth.addUser('carol', 'pw-c', by)
      expect(await o.interpreter.session({ user: 'admin' }).run('hi')).toEqual({ ok: true, output: 'yes' })
      const refused = await o.interpreter.session({ user: 'carol' }).run('hi')
      expect(refused.ok).toBe(false)
      expect(refused.output).toContain(AI_GRANT)
      expect((await o.interpreter.session({ user: 'carol' }).run('/ai info')).ok).toBe(false)
      await o.auth.grant('carol', AI_GRANT, 'reader', by)
      expect(await o.interpreter.session({ user: 'carol' }).run('hi')).toEqual({ ok: true, output: 'no' })
    })
  })

  it('keeps the conversation per session; /ai reset forgets it', async () => {
    const ai = scriptedAi([['one'], ['two'], ['three'], ['four']])
    await withAi(ai, async (o) => {
      const s = o.interpreter.session({ user: 'admin' })
      const other = o.interpreter.session({ user: 'admin' })
      await s.run('first')
      await s.run('second')
      await other.run('elsewhere')
      const users = (i: number): string[] => ai.seen[i]!.filter((m) => m.role !== 'system').map((m) => `${m.role}:${m.content}`)
      expect(users(1)).toEqual(['user:first', 'assistant:one', 'user:second'])
      expect(users(2)).toEqual(['user:elsewhere'])
      expect(ai.seen[1]![0]!.role).toBe('system')
      expect((await s.run('/ai info')).output).toMatch(/^conversation\s+4 messages$/m)
      expect((await s.run('/ai reset')).output).toMatch(/4 messages/)
      await s.run('again')
      expect(users(3)).toEqual(['user:again'])
    })
  })

  it('/ai info shows the model, engine, state, queue and tokens/s; a failed load names the file', async () => {
    await withAi(scriptedAi([], { state: 'failed', error: { code: 'MODEL_MISSING', message: 'model file not found', file: '/models/gone.gguf' } }), async (o) => {
      const out = (await o.interpreter.session({ user: 'admin' }).run('/ai info')).output
      expect(out).toMatch(/^model\s+\/models\/m\.gguf$/m)
      expect(out).toMatch(/^engine\s+scripted$/m)
      expect(out).toMatch(/^state\s+failed: MODEL_MISSING: .*\/models\/gone\.gguf/m)
      expect(out).toMatch(/^queue\s+0 running/m)
      expect(out).toMatch(/^tokens\/s\s+12\.5 last, 10\.0 average$/m)
    })
  })

  it('a request that fails before its first token leaves the conversation as it was', async () => {
    const ai = scriptedAi([['ok']])
    const failing = { ...ai, prompt: () => (async function* () { throw Object.assign(new Error('model file not found: /m.gguf'), { code: 'MODEL_MISSING' }) })() }
    await withAi(failing, async (o) => {
      const s = o.interpreter.session({ user: 'admin' })
      expect(await s.run('hello')).toEqual({ ok: false, output: 'model file not found: /m.gguf' })
      expect((await s.run('/ai info')).output).toMatch(/^conversation\s+0 messages$/m)
    })
  })

  it('without a model, /ai is not offered', async () => {
    expect(await c.interpreter.session({ user: 'admin' }).run('/ai info')).toEqual({ ok: false, output: 'no AI runtime configured' })
    expect((await c.interpreter.session({ user: 'admin' }).run('/help')).output).not.toMatch(/\/ai/)
  })

  it('strips terminal controls from answers', async () => {
    await withAi(scriptedAi([['a\x1b[2J', 'b\r\n\x07c']]), async (o) => {
      expect((await o.interpreter.session({ user: 'admin' }).run('x')).output).toBe('a[2Jb\nc')
    })
  })

  it('an aborted answer stops and stays in the conversation as far as it got', async () => {
    const ai = scriptedAi([['A', 'B', 'C', 'D'], ['next']])
    await withAi(ai, async (o) => {
      const s = o.interpreter.session({ user: 'admin' })
      const abort = new AbortController()
      const it = s.runStream('go', { signal: abort.signal })
      expect((await it.next()).value).toBe('A')
      abort.abort()
      let rest = ''
      for (;;) {
        const n = await it.next()
        if (n.done) break
        rest += n.value
      }
      expect(rest).not.toMatch(/[BCD]/)
      await s.run('more')
      expect(ai.seen[1]!.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['A'])
    })
  })
})

describe('tools: the model runs read-only commands with the caller’s permissions', () => {
  it('a TOOL line runs the command, shows [tool], feeds the output back, and the model goes on', async () => {
    const ai = scriptedAi([['Let me look.\n', 'TOOL: /oci list'], ['There is one registry.']])
    await withAi(ai, async (o) => {
      await o.oci.create('web', { vhosts: ['web.test'], store: 'everlock-oci-web' }, { by: 'admin' })
      const r = await o.interpreter.session({ user: 'admin' }).run('which registries?')
      expect(r.ok).toBe(true)
      expect(r.output.split('\n')).toContain('[tool] /oci list')
      expect(ai.seen).toHaveLength(2)
      const fed = ai.seen[1]!.at(-1)!
      expect(fed.role).toBe('user')
      expect(fed.content).toMatch(/^Output of \/oci list:\n/)
      expect(fed.content).toContain('web.test')
    })
  })

  it('the caller’s own permissions: a non-admin’s /users list is refused and the refusal is what the model sees', async () => {
    const ai = scriptedAi([['TOOL: /users list'], ['ok']])
    await withAi(ai, async (o) => {
      await o.auth.addUser('bob', 'pw-b', by)
      await o.auth.grant('bob', AI_GRANT, 'reader', by)
      await o.auth.addUser('zed', 'pw-z', by)
      const r = await o.interpreter.session({ user: 'bob' }).run('who is here?')
      expect(r.output.split('\n')).toContain('[tool] /users list')
      const fed = ai.seen[1]!.at(-1)!.content
      expect(fed).not.toContain('zed')
    })
  })

  it('a command outside the allow-list is refused, not run', async () => {
    const ai = scriptedAi([['TOOL: /users add mallory pw'], ['TOOL: /users delete bob'], ['fine']])
    await withAi(ai, async (o) => {
      const r = await o.interpreter.session({ user: 'admin' }).run('add a user')
      expect(r.output).toContain('[tool] refused: /users add mallory pw')
      expect(r.output).toContain('[tool] refused: /users delete bob')
      expect(await o.auth.hasUser('mallory')).toBe(false)
      expect(ai.seen).toHaveLength(3)
    })
  })

  it('tool rounds are bounded', async () => {
    const ai = scriptedAi(Array.from({ length: 10 }, () => ['TOOL: /oci list']))
    await withAi(ai, async (o) => {
      const r = await o.interpreter.session({ user: 'admin' }).run('loop')
      expect(ai.seen).toHaveLength(MAX_TOOL_ROUNDS + 1)
      expect(r.output.split('\n').filter((l) => l === '[tool] /oci list')).toHaveLength(MAX_TOOL_ROUNDS)
      expect(r.output).toMatch(/\[tool\] not run/)
    })
  })
})
