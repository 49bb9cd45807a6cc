import t from 'tap'
import { expressObservability } from '../../lib/express.ts'
import { ERROR_CODES } from '../../lib/index.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('aggregation is on by default, with 500 series at most', async (t) => {
  t.same(resolveOptions({}, {}).aggregation, { maxSeries: 500 })
  t.same(resolveOptions({ aggregation: true }, {}).aggregation, { maxSeries: 500 })
  t.same(resolveOptions({ aggregation: {} }, {}).aggregation, { maxSeries: 500 })
  t.same(resolveOptions({ aggregation: { maxSeries: 1 } }, {}).aggregation, { maxSeries: 1 })
  t.same(resolveOptions({ aggregation: { maxSeries: 100_000 } }, {}).aggregation, { maxSeries: 100_000 })
  t.equal(resolveOptions({ aggregation: false }, {}).aggregation, null)
  t.ok(Object.isFrozen(resolveOptions({}, {}).aggregation))
})

t.test('bad aggregation options throw a VigieError naming the option', async (t) => {
  const invalid: Array<[unknown, string]> = [
    ['on', 'vigie: option "aggregation" must be a boolean or an object; received "on" (string)'],
    [null, 'vigie: option "aggregation" must be a boolean or an object; received null'],
    [[500], 'vigie: option "aggregation" must be a boolean or an object; received an array'],
    [{ maxSeries: 0 }, 'vigie: option "aggregation.maxSeries" must be an integer from 1 to 100000; received 0 (number)'],
    [{ maxSeries: 100_001 }, 'vigie: option "aggregation.maxSeries" must be an integer from 1 to 100000; received 100001 (number)'],
    [{ maxSeries: 2.5 }, 'vigie: option "aggregation.maxSeries" must be an integer from 1 to 100000; received 2.5 (number)'],
    [{ maxSeries: '500' }, 'vigie: option "aggregation.maxSeries" must be an integer from 1 to 100000; received "500" (string)'],
  ]
  for (const [aggregation, message] of invalid) {
    t.throws(() => resolveOptions({ aggregation } as never, {}), { name: 'VigieError', code: ERROR_CODES.INVALID_OPTION, message })
  }
  t.throws(() => resolveOptions({ aggregation: { maxseries: 10 } } as never, {}), {
    code: ERROR_CODES.UNKNOWN_OPTION,
    message: 'vigie: unknown option "aggregation.maxseries"; known options here are "aggregation.maxSeries"',
  })
  t.throws(() => expressObservability({ aggregation: { maxSeries: -1 } }), { code: ERROR_CODES.INVALID_OPTION }, 'the middleware checks it when created')
})

t.test('VIGIE_DISABLED: no aggregator, snapshot() is null', async (t) => {
  const middleware = expressObservability({ statsd: { port: 9 } })
  t.teardown(() => middleware.close())
  t.not(middleware.vigie.snapshot(), null, 'on by default')
  const previous = process.env.VIGIE_DISABLED
  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => {
    if (previous === undefined) delete process.env.VIGIE_DISABLED
    else process.env.VIGIE_DISABLED = previous
  })
  const disabled = expressObservability({ statsd: { port: 9 } })
  t.teardown(() => disabled.close())
  t.equal(disabled.vigie.snapshot(), null)
})

t.test('the environment: a cap, and a flag that turns aggregation off', async (t) => {
  t.same(resolveOptions({}, { VIGIE_AGGREGATION_MAX_SERIES: '2000' }).aggregation, { maxSeries: 2000 })
  t.equal(resolveOptions({}, { VIGIE_AGGREGATION: 'off', VIGIE_AGGREGATION_MAX_SERIES: '2000' }).aggregation, null)
  t.same(resolveOptions({}, { VIGIE_AGGREGATION: 'yes' }).aggregation, { maxSeries: 500 })
  t.throws(() => resolveOptions({}, { VIGIE_AGGREGATION_MAX_SERIES: 'many' }), {
    code: ERROR_CODES.INVALID_ENV, message: /VIGIE_AGGREGATION_MAX_SERIES sets option "aggregation\.maxSeries", which must be an integer/,
  })
})
