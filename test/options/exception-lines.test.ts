import t from 'tap'
import { expressObservability } from '../../lib/express.ts'
import { ERROR_CODES } from '../../lib/index.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('exceptionLines is on by default: 10 full lines a minute per kind', async (t) => {
  t.same(resolveOptions({}, {}).exceptionLines, { perInterval: 10, intervalMs: 60_000 })
  t.same(resolveOptions({ exceptionLines: true }, {}).exceptionLines, { perInterval: 10, intervalMs: 60_000 })
  t.same(resolveOptions({ exceptionLines: { perInterval: 1 } }, {}).exceptionLines, { perInterval: 1, intervalMs: 60_000 })
  t.same(resolveOptions({ exceptionLines: { perInterval: 10_000, intervalMs: 3_600_000 } }, {}).exceptionLines, { perInterval: 10_000, intervalMs: 3_600_000 })
  t.same(resolveOptions({ exceptionLines: { intervalMs: 1000 } }, {}).exceptionLines, { perInterval: 10, intervalMs: 1000 })
  t.equal(resolveOptions({ exceptionLines: false }, {}).exceptionLines, null, 'false: no limit')
  t.ok(Object.isFrozen(resolveOptions({}, {}).exceptionLines))
})

t.test('bad exceptionLines options throw a VigieError naming the option', async (t) => {
  const invalid: Array<[unknown, string]> = [
    ['yes', 'vigie: option "exceptionLines" must be a boolean or an object; received "yes" (string)'],
    [null, 'vigie: option "exceptionLines" must be a boolean or an object; received null'],
    [{ perInterval: 0 }, 'vigie: option "exceptionLines.perInterval" must be an integer from 1 to 10000; received 0 (number)'],
    [{ perInterval: 10_001 }, 'vigie: option "exceptionLines.perInterval" must be an integer from 1 to 10000; received 10001 (number)'],
    [{ perInterval: 2.5 }, 'vigie: option "exceptionLines.perInterval" must be an integer from 1 to 10000; received 2.5 (number)'],
    [{ perInterval: '10' }, 'vigie: option "exceptionLines.perInterval" must be an integer from 1 to 10000; received "10" (string)'],
    [{ intervalMs: 999 }, 'vigie: option "exceptionLines.intervalMs" must be an integer from 1000 to 3600000; received 999 (number)'],
    [{ intervalMs: 3_600_001 }, 'vigie: option "exceptionLines.intervalMs" must be an integer from 1000 to 3600000; received 3600001 (number)'],
    [{ intervalMs: Number.NaN }, 'vigie: option "exceptionLines.intervalMs" must be an integer from 1000 to 3600000; received NaN (number)'],
  ]
  for (const [exceptionLines, message] of invalid) {
    t.throws(() => resolveOptions({ exceptionLines } as never, {}), { name: 'VigieError', code: ERROR_CODES.INVALID_OPTION, message, option: message.match(/"([^"]+)"/)![1] })
  }
  t.throws(() => resolveOptions({ exceptionLines: { perMinute: 5 } } as never, {}), {
    code: ERROR_CODES.UNKNOWN_OPTION,
    message: 'vigie: unknown option "exceptionLines.perMinute"; known options here are "exceptionLines.perInterval", "exceptionLines.intervalMs"',
  })
  t.throws(() => expressObservability({ exceptionLines: { perInterval: -1 } }), { code: ERROR_CODES.INVALID_OPTION }, 'the middleware checks it when created')
})

t.test('the environment: VIGIE_EXCEPTION_LINES_PER_INTERVAL and VIGIE_EXCEPTION_LINES_INTERVAL_MS, under the code', async (t) => {
  const env = { VIGIE_EXCEPTION_LINES_PER_INTERVAL: '3', VIGIE_EXCEPTION_LINES_INTERVAL_MS: '5000' }
  t.same(resolveOptions({}, env).exceptionLines, { perInterval: 3, intervalMs: 5000 })
  t.same(resolveOptions({ exceptionLines: { perInterval: 7 } }, env).exceptionLines, { perInterval: 7, intervalMs: 5000 }, 'key by key')
  t.same(resolveOptions({ exceptionLines: true }, env).exceptionLines, { perInterval: 3, intervalMs: 5000 })
  t.equal(resolveOptions({ exceptionLines: false }, { VIGIE_EXCEPTION_LINES_PER_INTERVAL: 'many' }).exceptionLines, null, 'off in code: the variables are not read')
  t.throws(() => resolveOptions({}, { VIGIE_EXCEPTION_LINES_PER_INTERVAL: 'many' }), {
    code: ERROR_CODES.INVALID_ENV,
    message: 'vigie: environment variable VIGIE_EXCEPTION_LINES_PER_INTERVAL sets option "exceptionLines.perInterval", which must be an integer; received "many" (string)',
  })
  t.throws(() => resolveOptions({}, { VIGIE_EXCEPTION_LINES_INTERVAL_MS: '500' }), {
    code: ERROR_CODES.INVALID_ENV,
    variables: ['VIGIE_EXCEPTION_LINES_INTERVAL_MS'],
    message: 'vigie: environment variable VIGIE_EXCEPTION_LINES_INTERVAL_MS sets option "exceptionLines.intervalMs", which must be an integer from 1000 to 3600000; received "500" (string)',
  })
})
