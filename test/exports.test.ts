import t from 'tap'
import { runBuilt as run } from './helpers/run-built.ts'

t.test('require("vigie") is the plugin, with .default, .observability and the named exports', async (t) => {
  const out = run(['-e', `
    const vigie = require('vigie')
    console.log(JSON.stringify({
      plugin: typeof vigie,
      self: vigie.default === vigie && vigie.observability === vigie,
      name: vigie[Symbol.for('fastify.display-name')],
      skipOverride: vigie[Symbol.for('skip-override')],
      named: ['correlationId', 'loggerOptions', 'scrub', 'genReqId', 'buildScrubber', 'isValidCorrelationId', 'patchAll', 'expressObservability', 'expressErrorHandler'].map((n) => typeof vigie[n]),
      codes: vigie.ERROR_CODES.INVALID_OPTION,
    }))
  `])
  t.same(JSON.parse(out), {
    plugin: 'function',
    self: true,
    name: 'vigie',
    skipOverride: true,
    named: Array(9).fill('function'),
    codes: 'VIGIE_ERR_INVALID_OPTION',
  })
})

t.test('import "vigie" gives the plugin as default and the named exports', async (t) => {
  const out = run(['--input-type=module', '-e', `
    import observability, * as vigie from 'vigie'
    console.log(JSON.stringify({
      plugin: typeof observability,
      same: vigie.observability === observability,
      named: ['correlationId', 'loggerOptions', 'scrub', 'genReqId', 'patchAll', 'expressObservability'].map((n) => typeof vigie[n]),
    }))
  `])
  t.same(JSON.parse(out), { plugin: 'function', same: true, named: Array(6).fill('function') })
})

t.test('the ESM and CJS copies share one request context', async (t) => {
  const out = run(['--input-type=module', '-e', `
    import { createRequire } from 'node:module'
    import Fastify from 'fastify'
    import observability from 'vigie'
    const cjs = createRequire(import.meta.url)('vigie')
    const app = Fastify()
    await app.register(observability, { statsd: { port: 9 } })
    app.get('/', async () => ({ cjs: cjs.correlationId() }))
    const res = await app.inject({ url: '/', headers: { 'x-request-id': 'dual-1' } })
    await app.close()
    console.log(res.body)
  `])
  t.same(JSON.parse(out), { cjs: 'dual-1' })
})
