import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminInterpreter } from '@everlock/backend-admin'
import { memoryInstances, openConsole, scriptedAi, type Console } from './helpers.js'

let c: Console
beforeAll(async () => {
  c = await openConsole()
})
afterAll(async () => c.close())

describe('/help shows what this server can do', () => {
  it('without an image backend or AI runtime: no /image commands, no AI line', async () => {
    const help = (await c.interpreter.session({ user: 'admin' }).run('/help')).output
    expect(help).toContain('/oci create')
    expect(help).not.toMatch(/\/image/)
    expect(help).not.toMatch(/\bAI\b/)
    expect(help).not.toMatch(/^\/tls/m)
    expect(help).not.toMatch(/\ba (oci|OCI|image)\b/)
    expect(help).toMatch(/create an OCI instance/)
    expect(c.interpreter.commands.some((cmd) => cmd.words[0] === 'image')).toBe(false)
    expect(await c.interpreter.session({ user: 'admin' }).run('/image list')).toEqual({ ok: false, output: 'image backend not enabled' })
  })

  it('with them, their commands and the AI line appear', async () => {
    const full = createAdminInterpreter({
      auth: c.auth, stores: c.stores, instances: { oci: memoryInstances(), image: memoryInstances() },
      ai: scriptedAi([['hi']]),
    })
    const help = (await full.session({ user: 'admin' }).run('/help')).output
    expect(help).toMatch(/^\/image create .*create an image instance/m)
    expect(help).toContain('Text not starting with / goes to the AI model.')
  })

  it('without any instance registry, /oci is not offered either', async () => {
    const bare = createAdminInterpreter({ auth: c.auth, stores: c.stores, instances: {} })
    expect((await bare.session({ user: 'admin' }).run('/help')).output).not.toMatch(/^\/oci/m)
    expect(await bare.session({ user: 'admin' }).run('/oci list')).toEqual({ ok: false, output: 'oci backend not enabled' })
  })
})
