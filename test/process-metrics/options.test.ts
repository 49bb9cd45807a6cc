import t from 'tap'
import { expressObservability } from '../../lib/express.ts'
import { ERROR_CODES, PROCESS_METRIC_NAMES } from '../../lib/index.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('processMetrics is on by default, every 10 s', async (t) => {
  t.same(resolveOptions({}, {}).processMetrics, { intervalMs: 10_000 })
  t.same(resolveOptions({ processMetrics: true }, {}).processMetrics, { intervalMs: 10_000 })
  t.same(resolveOptions({ processMetrics: {} }, {}).processMetrics, { intervalMs: 10_000 })
  t.same(resolveOptions({ processMetrics: { intervalMs: 1000 } }, {}).processMetrics, { intervalMs: 1000 })
  t.same(resolveOptions({ processMetrics: { intervalMs: 3_600_000 } }, {}).processMetrics, { intervalMs: 3_600_000 })
  t.equal(resolveOptions({ processMetrics: false }, {}).processMetrics, null)
  t.ok(Object.isFrozen(resolveOptions({}, {}).processMetrics))
})

t.test('bad processMetrics options throw a VigieError naming the option', async (t) => {
  const invalid: Array<[unknown, string]> = [
    ['yes', 'vigie: option "processMetrics" must be a boolean or an object; received "yes" (string)'],
    [null, 'vigie: option "processMetrics" must be a boolean or an object; received null'],
    [[1000], 'vigie: option "processMetrics" must be a boolean or an object; received an array'],
    [{ intervalMs: 999 }, 'vigie: option "processMetrics.intervalMs" must be an integer from 1000 to 3600000; received 999 (number)'],
    [{ intervalMs: 3_600_001 }, 'vigie: option "processMetrics.intervalMs" must be an integer from 1000 to 3600000; received 3600001 (number)'],
    [{ intervalMs: 1500.5 }, 'vigie: option "processMetrics.intervalMs" must be an integer from 1000 to 3600000; received 1500.5 (number)'],
    [{ intervalMs: '10000' }, 'vigie: option "processMetrics.intervalMs" must be an integer from 1000 to 3600000; received "10000" (string)'],
  ]
  for (const [processMetrics, message] of invalid) {
    t.throws(() => resolveOptions({ processMetrics } as never, {}), { name: 'VigieError', code: ERROR_CODES.INVALID_OPTION, message })
  }
  t.throws(() => resolveOptions({ processMetrics: { interval: 1000 } } as never, {}), {
    code: ERROR_CODES.UNKNOWN_OPTION,
    message: 'vigie: unknown option "processMetrics.interval"; known options here are "processMetrics.intervalMs"',
  })
  t.throws(() => expressObservability({ processMetrics: { intervalMs: 10 } }), { code: ERROR_CODES.INVALID_OPTION }, 'the middleware checks it when created')
})

t.test('the environment: an interval, and a flag that turns the gauges off', async (t) => {
  t.same(resolveOptions({}, { VIGIE_PROCESS_METRICS_INTERVAL_MS: '30000' }).processMetrics, { intervalMs: 30_000 })
  t.equal(resolveOptions({}, { VIGIE_PROCESS_METRICS: 'off', VIGIE_PROCESS_METRICS_INTERVAL_MS: '30000' }).processMetrics, null)
  t.same(resolveOptions({}, { VIGIE_PROCESS_METRICS: 'true' }).processMetrics, { intervalMs: 10_000 })
  t.throws(() => resolveOptions({}, { VIGIE_PROCESS_METRICS_INTERVAL_MS: 'often' }), {
    code: ERROR_CODES.INVALID_ENV,
    message: 'vigie: environment variable VIGIE_PROCESS_METRICS_INTERVAL_MS sets option "processMetrics.intervalMs", which must be an integer; received "often" (string)',
  })
})

t.test('PROCESS_METRIC_NAMES is public and frozen', async (t) => {
  t.same(Object.values(PROCESS_METRIC_NAMES), [
    'process.event_loop_delay.p50', 'process.event_loop_delay.p99', 'process.heap_used', 'process.rss',
    'process.cpu_percent', 'process.active_handles', 'process.gc_pause', 'process.disk_free',
  ])
  t.ok(Object.isFrozen(PROCESS_METRIC_NAMES))
})
