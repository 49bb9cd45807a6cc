import t from 'tap'
import { isDecidedInCode, layerOptions } from '../../lib/options/precedence.ts'

t.test('isDecidedInCode: set in code, a feature off in code, or owned by a client', async (t) => {
  const client = { increment () {}, timing () {} }
  const code = { statsd: { port: 1, host: undefined }, dashboard: false, propagation: true, aggregation: { maxSeries: 10 } }
  t.ok(isDecidedInCode(code, 'statsd.port'))
  t.notOk(isDecidedInCode(code, 'statsd.host'), 'undefined is not set')
  t.notOk(isDecidedInCode(code, 'statsd.prefix'))
  t.ok(isDecidedInCode(code, 'dashboard') && isDecidedInCode(code, 'dashboard.token'), 'dashboard: false decides its sub-options too')
  t.ok(isDecidedInCode(code, 'propagation'))
  t.notOk(isDecidedInCode(code, 'propagation.targets'), 'true leaves the sub-options to the environment')
  t.ok(isDecidedInCode(code, 'aggregation.maxSeries'))
  t.notOk(isDecidedInCode(code, 'processMetrics') || isDecidedInCode(code, 'processMetrics.intervalMs'))
  const withClient = { statsd: { client } }
  t.ok(isDecidedInCode(withClient, 'statsd.host') && isDecidedInCode(withClient, 'statsd.prefix'))
  t.notOk(isDecidedInCode(withClient, 'statsd.sampleRate'), 'the sample rate applies to vigie\'s calls, not the client')
})

t.test('layerOptions: code over the environment, key by key inside option objects; neither input changed', async (t) => {
  const code = { statsd: { port: 1, prefix: undefined }, dashboard: true, propagation: { targets: ['a.io'] }, maxControllers: 5, ignore: undefined }
  const env = { statsd: { host: 'h', prefix: 'env.' }, dashboard: { token: 'tok' }, ignore: ['/health'], asyncContext: false }
  const codeCopy = structuredClone(code)
  const envCopy = structuredClone(env)
  t.same(layerOptions(code, env), {
    statsd: { host: 'h', prefix: 'env.', port: 1 },
    dashboard: { token: 'tok' },
    propagation: { targets: ['a.io'] },
    maxControllers: 5,
    ignore: ['/health'],
    asyncContext: false,
  })
  t.same([code, env], [codeCopy, envCopy])
  t.same(layerOptions({ dashboard: true }, {}), { dashboard: true })
  t.same(layerOptions({ dashboard: false }, {}), { dashboard: false })
})
